--[[
imr's pandoc filter: turns the curriculum's own Markdown conventions into print layout for
every output format, in the pandoc run that converts a whole bundle (for Typst, a large run is
cut at part boundaries into pieces that pandoc processes convert at once; see
imr.render.pandoc).

* `::: {.imr-part n=K}` (an empty div the templates put before each part of a bundle) starts
  part K. Every identifier inside a part gets the prefix `pK-`, so the same handout twice in a
  bundle (one per group member) keeps valid, unique anchors (imr-reader.lua reads each part on
  its own, so a part's identifiers do not depend on the parts before it); internal links are
  pointed at the copy in their own part, else at the first part that has the target, and a
  link whose target is not in the document keeps only its text. For Typst the last two are
  decided after all pieces are back (`resolve`, `part_table`). Links to local files keep only
  their text too: printed and self-contained documents cannot follow them.
* `::: {.imr-shift by=N}` raises the level of the headings that follow in the part by N (leader
  guides use level 2 for their sections, which become level 3 inside the manual).
* `::: {.worksheet title="…" prefill=goals}` becomes a framed box with its title, and
  `::: {.lines n=4}` inside it becomes four ruled writing lines.
* `::: {.imr-prefill kind=goals}` (made by the templates from the record, escaped text only)
  is moved into the part's worksheet with the same `prefill` kind: answers whose key matches a
  `fill=KEY` attribute on a `.lines` div are written on those lines; the others are shown at the
  top of the worksheet. A part without such a worksheet simply drops it. Keys: for goals
  `goal`, `step-1`, `step-2`, … (the first active goal), `goal-2`, `goal-2-step-1`, … (the next
  ones); for the relapse plan `triggers`, `warning_signs`, `actions`, `helpers`, `emergency`,
  `kept_at`, `copies`. Example: `::: {.lines n=3 fill=goal}`.
* `::: {.imr-end}` closes a document and `::: {.imr-document}` separates documents that share
  this run; for Typst they become the labels page.typ counts a part's pages by, and a marker
  the caller splits the output at. `::: {.imr-piece-end}` ends a piece that is not the run's
  last, and metadata `imr-first-document` numbers the piece's first document.
* `.imr-kicker`, `.imr-personal`, `.imr-cover`, `.imr-note`, `.imr-toc`, `.imr-pagebreak`
  get their look per format: Typst functions from page.typ, DOCX paragraph styles from
  reference.docx, HTML classes styled by print.css.
* Quotation marks follow the document language (Swedish ”…”) in HTML and DOCX; Typst sets
  them itself from `lang`.

Raw Typst is only ever produced here from numbers, known ids and curriculum attributes
(escaped as Typst strings); text from records never becomes raw output.
]]

local List = pandoc.List
local stringify = pandoc.utils.stringify

local is_typst = FORMAT:match('typst') ~= nil
local is_docx = FORMAT:match('docx') ~= nil
local is_html = FORMAT:match('html') ~= nil

local LANG = 'sv'
local PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
local NBSP = '\u{00A0}'

local function has_class(el, name)
  return el.classes and el.classes:includes(name)
end

local function typst_string(text)
  text = text:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', ' ')
  return '"' .. text .. '"'
end

local function typst_label(id)
  if id ~= nil and id ~= '' and id:match('^[%w%-_.:]+$') then
    return ' <' .. id .. '>'
  end
  return ''
end

local function raw(text)
  return pandoc.RawBlock('typst', text)
end

-- Blocks wrapped in a Typst function call: `#name(args)[ blocks ] <label>`.
local function typst_call(name, args, blocks, id)
  local out = List{raw('#' .. name .. '(' .. (args or '') .. ')[')}
  out:extend(blocks)
  out:insert(raw(']' .. typst_label(id)))
  return out
end

local function docx_style(style, blocks)
  return pandoc.Div(blocks, pandoc.Attr('', {}, {['custom-style'] = style}))
end

-- Parts: ids, heading shift, prefill collection --------------------------------------------

local function part_marker(block)
  if block.t == 'Div' and has_class(block, 'imr-part') then
    return tonumber(block.attributes['n']) or 0
  end
  return nil
end

local function shift_marker(block)
  if block.t == 'Div' and has_class(block, 'imr-shift') then
    return tonumber(block.attributes['by']) or 0
  end
  return nil
end

-- Returns the answers of a prefill div: { label = inlines, order = {key...}, items = {key = {inlines...}}, labels = {key = inlines} }
local function read_prefill(div)
  local prefill = { label = List{}, order = List{}, items = {}, labels = {} }
  for _, block in ipairs(div.content) do
    if block.t == 'Para' or block.t == 'Plain' then
      prefill.label = block.content
    elseif block.t == 'Div' and has_class(block, 'imr-answer') then
      local key = block.attributes['key'] or ''
      local items = List{}
      local label = List{}
      for _, inner in ipairs(block.content) do
        if inner.t == 'Para' or inner.t == 'Plain' then
          label = inner.content
        elseif inner.t == 'BulletList' then
          for _, item in ipairs(inner.content) do
            local inlines = List{}
            for _, b in ipairs(item) do
              if b.content then inlines:extend(b.content) end
            end
            items:insert(inlines)
          end
        end
      end
      if #items > 0 then
        prefill.order:insert(key)
        prefill.items[key] = items
        prefill.labels[key] = label
      end
    end
  end
  return prefill
end

-- Writing lines -----------------------------------------------------------------------------

local function render_lines(count, answers)
  answers = answers or List{}
  local blanks = count - #answers
  if #answers > 0 and blanks < 1 then blanks = 1 end
  if blanks < 0 then blanks = 0 end
  if is_typst then
    if #answers == 0 then return List{raw('#imr-lines(' .. count .. ')')} end
    -- page.typ counts the rows the answers wrap onto and adds blank lines up to `count`.
    local out = List{raw('#imr-answers(' .. count .. ')[')}
    for i, inlines in ipairs(answers) do
      out:insert(pandoc.Plain(inlines))
      out:insert(raw(i < #answers and '][' or ']'))
    end
    return out
  elseif is_docx then
    local out = List{}
    for _, inlines in ipairs(answers) do
      out:insert(docx_style('Imr Answer Line', {pandoc.Para(inlines)}))
    end
    for _ = 1, blanks do
      out:insert(docx_style('Imr Writing Line', {pandoc.Para({pandoc.Str(NBSP)})}))
    end
    return out
  else
    local lines = List{}
    for _, inlines in ipairs(answers) do
      lines:insert(pandoc.Div({pandoc.Plain(inlines)}, pandoc.Attr('', {'line', 'filled'})))
    end
    for _ = 1, blanks do
      lines:insert(pandoc.Div({}, pandoc.Attr('', {'line'})))
    end
    return List{pandoc.Div(lines, pandoc.Attr('', {'imr-lines'}))}
  end
end

local function lines_count(div)
  local n = tonumber(div.attributes['n'] or '') or 3
  if n < 1 then n = 1 end
  if n > 40 then n = 40 end
  return math.floor(n)
end

-- The answers that found no line of their own, shown at the top of the worksheet.
local function prefilled_box(prefill, used)
  local items = List{}
  for _, key in ipairs(prefill.order) do
    if not used[key] then
      local inner = List{}
      if #prefill.labels[key] > 0 then
        inner:insert(pandoc.Plain(List{pandoc.Strong(prefill.labels[key])}))
      end
      local bullets = List{}
      for _, inlines in ipairs(prefill.items[key]) do bullets:insert({pandoc.Plain(inlines)}) end
      inner:insert(pandoc.BulletList(bullets))
      items:extend(inner)
    end
  end
  if #items == 0 then return List{} end
  local content = List{}
  if #prefill.label > 0 then content:insert(pandoc.Para(List{pandoc.Emph(prefill.label)})) end
  content:extend(items)
  if is_typst then
    return typst_call('imr-prefilled', '', content)
  elseif is_docx then
    return List{docx_style('Imr Prefilled', content)}
  else
    return List{pandoc.Div(content, pandoc.Attr('', {'prefilled'}))}
  end
end

-- DOCX: blocks framed in a one-cell table written as raw WordprocessingML around them, so
-- lists and paragraphs stay inside the box and the box never splits across pages.
local function docx_frame(blocks, border, fill)
  local borders = ''
  if border then
    borders = '<w:tblBorders>' ..
      '<w:top ' .. border .. '/><w:left ' .. border .. '/><w:bottom ' .. border .. '/><w:right ' .. border .. '/>' ..
      '</w:tblBorders>'
  end
  local shade = fill and ('<w:shd w:val="clear" w:color="auto" w:fill="' .. fill .. '"/>') or ''
  local out = List{pandoc.RawBlock('openxml',
    '<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/>' .. borders ..
    '<w:tblCellMar><w:top w:w="140" w:type="dxa"/><w:left w:w="220" w:type="dxa"/>' ..
    '<w:bottom w:w="140" w:type="dxa"/><w:right w:w="220" w:type="dxa"/></w:tblCellMar></w:tblPr>' ..
    '<w:tblGrid><w:gridCol w:w="9000"/></w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr>' ..
    '<w:tc><w:tcPr><w:tcW w:w="5000" w:type="pct"/>' .. shade .. '</w:tcPr>')}
  out:extend(blocks)
  out:insert(pandoc.RawBlock('openxml', '<w:p/></w:tc></w:tr></w:tbl><w:p/>'))
  return out
end

-- The relapse card's table rows never split; after the card, the page break in a paragraph of
-- almost no height (it fits under a full card, so no blank page follows).
local DOCX_CARD_ROW = '<w:tr><w:trPr><w:cantSplit/></w:trPr>'
local DOCX_TINY = '<w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/></w:pPr>'
local DOCX_TINY_P = '<w:p>' .. DOCX_TINY .. '</w:p>'
local DOCX_CARD_END = '<w:p>' .. DOCX_TINY .. '<w:r><w:rPr><w:sz w:val="2"/></w:rPr><w:br w:type="page"/></w:r></w:p>'

local DOCX_FRAMES = {
  ['imr-personal'] = {nil, 'F0F0F0'},
  ['crisis'] = {'w:val="single" w:sz="24" w:color="9B1C1C"', 'FDF3F2'},
  ['voice'] = {'w:val="single" w:sz="4" w:color="1F3A70"', 'EEF2F8'},
  ['worksheet'] = {'w:val="single" w:sz="12" w:color="333333"', nil},
}

-- Form elements: checkboxes, writing tables, grids ------------------------------------------

local CHECK_MARKS = {['☐'] = true, ['☒'] = true}

-- A bullet list whose every item starts with a task box (`- [ ] Familj`).
local function is_checklist(list)
  if #list.content == 0 then return false end
  for _, item in ipairs(list.content) do
    local first = item[1]
    if not first or (first.t ~= 'Plain' and first.t ~= 'Para') then return false end
    local mark = first.content[1]
    if not mark or mark.t ~= 'Str' or not CHECK_MARKS[mark.text] then return false end
  end
  return true
end

local function checklist_items(list)
  local items = List{}
  for _, item in ipairs(list.content) do
    local first = item[1]:clone()
    local inlines = List(first.content)
    inlines:remove(1)
    if inlines[1] and inlines[1].t == 'Space' then inlines:remove(1) end
    local blocks = List{pandoc.Plain(inlines)}
    for i = 2, #item do blocks:insert(item[i]) end
    items:insert(blocks)
  end
  return items
end

local function render_checklist(list)
  local items = checklist_items(list)
  if is_typst then
    local out = List{raw('#imr-checks(')}
    for _, blocks in ipairs(items) do
      out:insert(raw('['))
      out:extend(blocks)
      out:insert(raw('],'))
    end
    out:insert(raw(')'))
    return out
  elseif is_docx then
    local out = List{}
    for _, blocks in ipairs(items) do
      -- A drawn box (a bordered run of spaces, about 5.5 mm), not a ☐ glyph a font may lack.
      local inlines = List{pandoc.RawInline('openxml', '<w:r><w:rPr><w:bdr w:val="single" w:sz="12" w:space="0" ' ..
                             'w:color="333333"/><w:sz w:val="30"/></w:rPr><w:t xml:space="preserve">' ..
                             NBSP .. NBSP .. NBSP .. '</w:t></w:r>'),
                           pandoc.Str(NBSP .. NBSP)}
      inlines:extend(blocks[1].content)
      out:insert(docx_style('Imr Check', {pandoc.Para(inlines)}))
    end
    return out
  else
    local out = List{}
    for _, blocks in ipairs(items) do
      out:insert(pandoc.Div(blocks, pandoc.Attr('', {'check'})))
    end
    return List{pandoc.Div(out, pandoc.Attr('', {'checks'}))}
  end
end

-- A table whose body is empty: a form to write in (full width, rows of one writing line).
local function is_writing_table(tbl)
  if #tbl.head.rows == 0 then return false end
  local rows = 0
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      rows = rows + 1
      for _, cell in ipairs(row.cells) do
        if #cell.contents > 0 then return false end
      end
    end
  end
  return rows > 0
end

local function xml_escape(text)
  return (text:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'):gsub('"', '&quot;'))
end

local function render_writing_table(tbl)
  local header = tbl.head.rows[1].cells
  local rows = 0
  for _, body in ipairs(tbl.bodies) do rows = rows + #body.body end
  local widths, total = List{}, 0
  for _, cell in ipairs(header) do
    -- A column is at least as wide as its longest header word (a word is never broken), and
    -- gets more room the longer its header is (5.4: "Läkemedel" next to a long question).
    local text = stringify(cell.contents)
    local longest = 0
    for word in text:gmatch('%S+') do longest = math.max(longest, utf8.len(word) or #word) end
    local w = math.max(6, longest + 3, math.ceil((utf8.len(text) or #text) / 2))
    widths:insert(w)
    total = total + w
  end
  if is_typst then
    local parts = List{}
    for _, w in ipairs(widths) do parts:insert(string.format('%.3f', w / total)) end
    local out = List{raw('#imr-writing-table(rows: ' .. rows .. ', widths: (' .. table.concat(parts, ', ') .. ',),')}
    for _, cell in ipairs(header) do
      out:insert(raw('['))
      out:extend(cell.contents)
      out:insert(raw('],'))
    end
    out:insert(raw(')'))
    return out
  elseif is_docx then
    -- Raw WordprocessingML: pandoc cannot give a table row a height. 9.2 mm = 522 twips.
    local grid, head_cells, body = {}, {}, {}
    for i, cell in ipairs(header) do
      local pct = math.floor(5000 * widths[i] / total)
      grid[#grid + 1] = '<w:gridCol w:w="' .. math.floor(9000 * widths[i] / total) .. '"/>'
      head_cells[#head_cells + 1] = '<w:tc><w:tcPr><w:tcW w:w="' .. pct .. '" w:type="pct"/>' ..
        '<w:shd w:val="clear" w:color="auto" w:fill="EBEBEB"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="ImrTableHead"/></w:pPr>' ..
        '<w:r><w:t xml:space="preserve">' .. xml_escape(stringify(cell.contents)) .. '</w:t></w:r></w:p></w:tc>'
    end
    local empty_row = '<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="522" w:hRule="atLeast"/></w:trPr>'
    for i = 1, #header do
      empty_row = empty_row .. '<w:tc><w:tcPr><w:tcW w:w="' .. math.floor(5000 * widths[i] / total) ..
        '" w:type="pct"/></w:tcPr><w:p/></w:tc>'
    end
    empty_row = empty_row .. '</w:tr>'
    for _ = 1, rows do body[#body + 1] = empty_row end
    local border = '<w:top w:val="single" w:sz="6" w:color="5A5A5A"/><w:left w:val="single" w:sz="6" w:color="5A5A5A"/>' ..
      '<w:bottom w:val="single" w:sz="6" w:color="5A5A5A"/><w:right w:val="single" w:sz="6" w:color="5A5A5A"/>' ..
      '<w:insideH w:val="single" w:sz="6" w:color="5A5A5A"/><w:insideV w:val="single" w:sz="6" w:color="5A5A5A"/>'
    local xml = '<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>' .. border ..
      '</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>' .. table.concat(grid) .. '</w:tblGrid>' ..
      '<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>' .. table.concat(head_cells) .. '</w:tr>' ..
      table.concat(body) .. '</w:tbl><w:p/>'
    return List{pandoc.RawBlock('openxml', xml)}
  else
    local specs = List{}
    for i, spec in ipairs(tbl.colspecs) do specs:insert({spec[1], widths[i] / total}) end
    tbl.colspecs = specs
    tbl.attr = pandoc.Attr(tbl.identifier, {'writing-table'})
    return List{tbl}
  end
end

-- `::: {.balance}` (a framed 2×2 grid) and `::: {.columns}` (side by side, no frame): each
-- child `::: cell` is one cell, filled row by row.
local function render_grid(div, framed)
  local cells = List{}
  for _, block in ipairs(div.content) do
    if block.t == 'Div' and has_class(block, 'cell') then cells:insert(block.content) end
  end
  local columns = tonumber(div.attributes['cols'] or '') or 2
  if is_typst then
    -- Trailing content arguments: `#imr-grid(...)[cell][cell]`, each `][` in one raw block.
    local out = List{raw('#imr-grid(columns: ' .. math.floor(columns) .. ', framed: ' .. tostring(framed) .. ')[')}
    for i, blocks in ipairs(cells) do
      out:extend(blocks)
      out:insert(raw(i < #cells and '][' or ']'))
    end
    if #cells == 0 then out:insert(raw(']')) end
    return out
  elseif is_docx then
    local rows = List{}
    local row = List{}
    for _, blocks in ipairs(cells) do
      row:insert(pandoc.Cell(blocks))
      if #row == columns then rows:insert(pandoc.Row(row)); row = List{} end
    end
    if #row > 0 then
      while #row < columns do row:insert(pandoc.Cell({})) end
      rows:insert(pandoc.Row(row))
    end
    local specs = List{}
    for _ = 1, columns do specs:insert({pandoc.AlignDefault, 1.0 / columns}) end
    local tbody = {attr = pandoc.Attr(), body = rows, head = List{}, row_head_columns = 0}
    return List{pandoc.Table(pandoc.Caption(), specs, pandoc.TableHead(), {tbody}, pandoc.TableFoot(),
      pandoc.Attr(div.identifier, {framed and 'balance' or 'columns'}))}
  else
    local out = List{}
    for _, blocks in ipairs(cells) do out:insert(pandoc.Div(blocks, pandoc.Attr('', {'cell'}))) end
    return List{pandoc.Div(out, pandoc.Attr(div.identifier, {framed and 'balance' or 'columns', 'grid'}))}
  end
end

-- Worksheets ----------------------------------------------------------------------------------

-- "**2. Mina tidiga varningstecken**": a numbered part, where a worksheet taller than a page
-- may break.
local function is_numbered_part(block)
  if block.t == 'Div' and (has_class(block, 'columns') or has_class(block, 'balance')) then
    local cell = block.content[1]
    return cell ~= nil and cell.t == 'Div' and cell.content[1] ~= nil and is_numbered_part(cell.content[1])
  end
  if block.t ~= 'Para' and block.t ~= 'Plain' then return false end
  local first = block.content[1]
  return first ~= nil and first.t == 'Strong' and stringify(first):match('^%d+%.') ~= nil
end

local function ends_a_part(block)
  return block.t == 'Table' or block.t == 'BulletList' or (block.t == 'Div' and (has_class(block, 'lines')
    or has_class(block, 'balance') or has_class(block, 'columns')))
end

-- The worksheet's blocks in parts that are never split: by its numbered parts if it has
-- them, otherwise each question with its lines (or table, or list).
local function worksheet_parts(blocks)
  local numbered = false
  for _, block in ipairs(blocks) do
    if is_numbered_part(block) then numbered = true end
  end
  local parts, current = List{}, List{}
  for _, block in ipairs(blocks) do
    if numbered then
      if is_numbered_part(block) and #current > 0 then parts:insert(current); current = List{} end
      current:insert(block)
    else
      current:insert(block)
      if ends_a_part(block) then parts:insert(current); current = List{} end
    end
  end
  if #current > 0 then
    if #parts > 0 and not numbered then parts[#parts]:extend(current) else parts:insert(current) end
  end
  return parts
end

local layout_blocks -- defined below: the form elements inside a box or worksheet
local rating_filter -- defined below: rating scales in a table's cells

local function render_worksheet(div, prefill)
  local used = {}
  local function lines_with_answers(inner)
    local key = inner.attributes['fill']
    local answers = nil
    if prefill and key and prefill.items[key] then
      answers = prefill.items[key]
      used[key] = true
    end
    return render_lines(lines_count(inner), answers)
  end
  local parts = List{}
  for _, blocks in ipairs(worksheet_parts(div.content)) do
    parts:insert(layout_blocks(blocks, lines_with_answers))
  end
  local box = List{}
  if prefill then box = prefilled_box(prefill, used) end
  local title = div.attributes['title'] or ''
  if is_typst then
    local body = List{}
    body:extend(box)
    for _, blocks in ipairs(parts) do body:extend(typst_call('imr-ws-part', '', blocks)) end
    local args = 'title: ' .. typst_string(title)
    if div.attributes['page'] == 'own' then args = args .. ', own-page: true' end
    return typst_call('imr-worksheet', args, body, div.identifier)
  end
  local body = List{}
  body:extend(box)
  for _, blocks in ipairs(parts) do body:extend(blocks) end
  if is_docx then
    local cell = List{}
    if div.attributes['page'] == 'own' then cell:insert(pandoc.RawBlock('openxml', PAGE_BREAK)) end
    local inner = List{}
    if title ~= '' then inner:insert(docx_style('Imr Worksheet Title', {pandoc.Para({pandoc.Str(title)})})) end
    inner:extend(body)
    local frame = DOCX_FRAMES['worksheet']
    cell:extend(docx_frame(inner, frame[1], frame[2]))
    if div.identifier ~= '' then
      cell:insert(1, pandoc.Div({}, pandoc.Attr(div.identifier)))
    end
    return cell
  else
    local out = List{}
    if title ~= '' then
      out:insert(pandoc.Div({pandoc.Plain({pandoc.Str(title)})}, pandoc.Attr('', {'worksheet-title'})))
    end
    out:extend(body)
    local classes = {'worksheet'}
    if div.attributes['page'] == 'own' then classes[#classes + 1] = 'own-page' end
    return List{pandoc.Div(out, pandoc.Attr(div.identifier, classes))}
  end
end

-- The relapse card (card.md.j2): a page of its own with rows of fields, each a label, the plan's
-- items on writing rows and blank rows up to its budget, then the crisis box.
local render_box -- defined below

local function bullet_inlines(list)
  local items = List{}
  for _, item in ipairs(list.content) do
    local inlines = List{}
    for _, b in ipairs(item) do
      if b.content then inlines:extend(b.content) end
    end
    items:insert(inlines)
  end
  return items
end

local function card_field(div)
  local label, items = List{}, List{}
  for _, block in ipairs(div.content) do
    if block.t == 'Para' or block.t == 'Plain' then label = block.content
    elseif block.t == 'BulletList' then items = bullet_inlines(block) end
  end
  local rows = math.max(1, math.min(40, math.floor(tonumber(div.attributes['rows'] or '') or 2)))
  local key = (div.attributes['key'] or ''):gsub('[^%w_]', '')
  if is_typst then
    local out = List{raw('#imr-card-field(rows: ' .. rows .. ', icon: ' .. typst_string(key) .. ')[')}
    out:insert(pandoc.Plain(label))
    for _, inlines in ipairs(items) do
      out:insert(raw(']['))
      out:insert(pandoc.Plain(inlines))
    end
    out:insert(raw(']'))
    return out
  end
  local out = List{}
  if is_docx then
    out:insert(docx_style('Imr Card Label', {pandoc.Para(label)}))
    -- The card's own rows: 8 mm apart as in the PDF (a normal writing row is 9.2 mm).
    local blank = math.max(1, math.min(40, math.floor(tonumber(div.attributes['blank'] or '') or (rows - #items))))
    for _, block in ipairs(render_lines(#items + blank, items)) do
      local style = block.attributes and block.attributes['custom-style']
      if style == 'Imr Answer Line' then block.attributes['custom-style'] = 'Imr Card Answer' end
      if style == 'Imr Writing Line' then block.attributes['custom-style'] = 'Imr Card Line' end
      out:insert(block)
    end
    return out
  else
    out:insert(pandoc.Div({pandoc.Plain(label)}, pandoc.Attr('', {'card-label', 'icon-' .. key})))
  end
  out:extend(render_lines(rows, items))
  if is_html then return List{pandoc.Div(out, pandoc.Attr('', {'card-field'}))} end
  return out
end

-- DOCX: the card's crisis box as its last row, framed and shaded like the PDF's, with its four
-- situations two by two in a table without rules, at the card's size (so the card fits a page).
local function docx_card_crisis(block)
  local cells = List{}
  for _, inner in ipairs(block.content) do
    if inner.t == 'Div' and has_class(inner, 'columns') then
      for _, cell in ipairs(inner.content) do
        if cell.t == 'Div' and has_class(cell, 'cell') then cells:insert(cell.content) end
      end
    end
  end
  local red = 'w:val="single" w:sz="24" w:space="0" w:color="9B1C1C"'
  -- 2 mm of air between the last field's rows and the box
  local out = List{pandoc.RawBlock('openxml', '<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="113" w:hRule="exact"/>' ..
    '</w:trPr><w:tc><w:tcPr><w:tcW w:w="9638" w:type="dxa"/><w:gridSpan w:val="2"/></w:tcPr>' .. DOCX_TINY_P .. '</w:tc></w:tr>' ..
    DOCX_CARD_ROW ..
    '<w:tc><w:tcPr><w:tcW w:w="9638" w:type="dxa"/><w:gridSpan w:val="2"/><w:tcBorders><w:top ' .. red ..
    '/><w:left ' .. red .. '/><w:bottom ' .. red .. '/><w:right ' .. red .. '/></w:tcBorders>' ..
    '<w:shd w:val="clear" w:color="auto" w:fill="FDF3F2"/><w:tcMar><w:top w:w="60" w:type="dxa"/>' ..
    '<w:left w:w="220" w:type="dxa"/><w:bottom w:w="100" w:type="dxa"/><w:right w:w="220" w:type="dxa"/></w:tcMar></w:tcPr>')}
  out:insert(docx_style('Imr Card Label', {pandoc.Para({pandoc.Str(block.attributes['title'] or '')})}))
  out:insert(pandoc.RawBlock('openxml', '<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/>' ..
    '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>' ..
    '<w:right w:w="170" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid><w:gridCol w:w="4600"/>' ..
    '<w:gridCol w:w="4600"/></w:tblGrid>'))
  for i, blocks in ipairs(cells) do
    local open = (i % 2 == 1) and '<w:tr><w:trPr><w:cantSplit/></w:trPr>' or ''
    out:insert(pandoc.RawBlock('openxml', open .. '<w:tc><w:tcPr><w:tcW w:w="2500" w:type="pct"/></w:tcPr>'))
    out:insert(docx_style('Imr Card Crisis', blocks))
    local close = '</w:tc>'
    if i % 2 == 1 and i == #cells then  -- an odd last situation: an empty cell beside it
      close = close .. '<w:tc><w:tcPr><w:tcW w:w="2500" w:type="pct"/></w:tcPr><w:p/></w:tc>'
    end
    if i % 2 == 0 or i == #cells then close = close .. '</w:tr>' end
    out:insert(pandoc.RawBlock('openxml', close))
  end
  out:insert(pandoc.RawBlock('openxml', '</w:tbl>' .. DOCX_TINY_P .. '</w:tc></w:tr>'))
  return out
end

local function render_card(div)
  local title, review_label = '', ''
  local made, body = List{}, List{}
  local function text_of(block) return stringify(block.content) end
  for _, block in ipairs(div.content) do
    if block.t == 'Div' and has_class(block, 'card-title') then
      title = text_of(block)
    elseif block.t == 'Div' and has_class(block, 'card-review') then
      review_label = text_of(block)
    elseif block.t == 'Div' and has_class(block, 'card-made') then
      made = (block.content[1] and block.content[1].content) or List{}
    elseif block.t == 'Div' and has_class(block, 'card-row') then
      local fields = List{}
      for _, inner in ipairs(block.content) do
        if inner.t == 'Div' and has_class(inner, 'card-field') then fields:insert(card_field(inner)) end
      end
      if is_typst then
        body:insert(raw('#imr-card-row['))
        for i, field in ipairs(fields) do
          if i > 1 then body:insert(raw('][')) end
          body:extend(field)
        end
        body:insert(raw(']'))
      elseif is_docx then
        -- A row of the card's table: two fields side by side, or one across both columns.
        for i, field in ipairs(fields) do
          local span = #fields == 1 and '<w:gridSpan w:val="2"/>' or ''
          body:insert(pandoc.RawBlock('openxml', (i == 1 and DOCX_CARD_ROW or '') ..
            '<w:tc><w:tcPr><w:tcW w:w="' .. (#fields == 1 and 9638 or 4819) .. '" w:type="dxa"/>' .. span ..
            '</w:tcPr>'))
          body:extend(field)
          body:insert(pandoc.RawBlock('openxml', '</w:tc>' .. (i == #fields and '</w:tr>' or '')))
        end
      else
        local cells = List{}
        for _, field in ipairs(fields) do cells:extend(field) end
        body:insert(pandoc.Div(cells, pandoc.Attr('', {'card-row', 'cols-' .. #fields})))
      end
    elseif block.t == 'Div' and has_class(block, 'crisis') then
      local first = block.content[1]
      if first and first.t == 'Div' and has_class(first, 'card-crisis-title') then
        block.attributes['title'] = text_of(first)
        block.content:remove(1)
      end
      if is_docx then
        body:extend(docx_card_crisis(block))
      else
        local boxed = render_box(block, 'crisis')
        if boxed.t then body:insert(boxed) else body:extend(boxed) end
      end
    end
  end
  local dates = made
  if is_typst then
    local out = List{raw('#imr-card(title: ' .. typst_string(title) .. ', review: ' .. typst_string(review_label) ..
      ')[')}
    out:insert(pandoc.Plain(dates))
    out:insert(raw(']['))
    out:extend(body)
    out:insert(raw(']' .. typst_label(div.identifier)))
    return out
  end
  local inner = List{}
  local review = List{pandoc.Str(review_label .. ':'), pandoc.Space(), pandoc.Str(string.rep('_', 12))}
  if is_docx then
    -- As in the PDF: the card is 170 mm wide (into the side margins), its fields in a table of
    -- two columns, the title and dates on one line, and the page break after it in a paragraph
    -- of almost no height, so a card that fills its page leaves no blank page behind it.
    local escaped = title:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;')
    local line = List{pandoc.RawInline('openxml', '<w:r><w:rPr><w:b/><w:sz w:val="37"/><w:szCs w:val="37"/></w:rPr>' ..
      '<w:t xml:space="preserve">' .. escaped .. '</w:t></w:r><w:r><w:tab/></w:r>')}
    line:extend(dates)
    line:extend({pandoc.Space(), pandoc.Str('·'), pandoc.Space(), pandoc.Str(review_label .. ':'), pandoc.Space(),
                 pandoc.Str(string.rep('_', 9))})  -- room to write a date, and the line stays one line
    local out = List{pandoc.RawBlock('openxml', PAGE_BREAK), pandoc.RawBlock('openxml',
      '<w:tbl><w:tblPr><w:tblW w:w="9638" w:type="dxa"/><w:tblInd w:w="-850" w:type="dxa"/>' ..
      '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="227" w:type="dxa"/>' ..
      '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="227" w:type="dxa"/></w:tblCellMar></w:tblPr>' ..
      '<w:tblGrid><w:gridCol w:w="4819"/><w:gridCol w:w="4819"/></w:tblGrid>' .. DOCX_CARD_ROW ..
      '<w:tc><w:tcPr><w:tcW w:w="9638" w:type="dxa"/><w:gridSpan w:val="2"/></w:tcPr>')}
    out:insert(docx_style('Imr Card Title', {pandoc.Para(line)}))
    out:insert(pandoc.RawBlock('openxml', '</w:tc></w:tr>'))
    out:extend(body)
    out:insert(pandoc.RawBlock('openxml', '</w:tbl>' .. DOCX_CARD_END))
    return out
  end
  inner:insert(pandoc.Div({pandoc.Plain({pandoc.Str(title)})}, pandoc.Attr('', {'worksheet-title'})))
  inner:insert(pandoc.Div({pandoc.Plain(dates), pandoc.Plain(review)}, pandoc.Attr('', {'card-dates'})))
  inner:extend(body)
  return List{pandoc.Div(inner, pandoc.Attr(div.identifier, {'worksheet', 'own-page', 'relapse-card'}))}
end


-- Pictures: `::: {.picture name=bagaren}` (its own lines in a handout) shows
-- templates/render/pictures/bagaren.svg, one of imr's own line drawings, with its alt text from
-- the strings (`picture_bagaren`). Typst places the file; HTML gets the SVG inline (the page
-- stays one self-contained file); DOCX embeds it, with the alt text as its description.
local PICTURES = (PANDOC_SCRIPT_FILE and PANDOC_SCRIPT_FILE:match('^(.*)[/\\]') or '.') .. '/pictures/'

local function html_escape(text)
  return (text:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;'):gsub('"', '&quot;'))
end

local function render_picture(div)
  local name = (div.attributes['name'] or ''):gsub('[^%w%-]', '')
  local alt = PICTURE_ALT[name] or ''
  local file = PICTURES .. name .. '.svg'
  if is_typst then
    return raw('#imr-picture(' .. typst_string(name) .. ', ' .. typst_string(alt) .. ')')
  elseif is_html then
    local handle = io.open(file, 'r')
    if not handle then return {} end
    local svg = handle:read('a'):gsub('^%s*<svg ', '<svg aria-hidden="true" ')
    handle:close()
    return pandoc.RawBlock('html', '<figure class="picture" role="img" aria-label="' .. html_escape(alt) .. '">' ..
      svg .. '</figure>')
  elseif is_docx then
    local image = pandoc.Image({pandoc.Str(alt)}, file, '', pandoc.Attr('', {}, {width = '12cm'}))
    return docx_style('Imr Picture', {pandoc.Para({image})})
  end
  return {}
end

-- Boxes and markers that only change the look -------------------------------------------------

local VOICE_LABEL = ''
PICTURE_ALT = {}
local CRISIS_TITLE = ''

local BOX_ORDER = {'imr-personal', 'imr-cover', 'imr-note', 'imr-kicker', 'crisis', 'voice', 'imr-compact'}
local BOXES = {
  ['imr-personal'] = {typst = 'imr-personal', docx = 'Imr Personal'},
  ['imr-cover'] = {typst = 'imr-cover', docx = 'Imr Cover'},
  ['imr-note'] = {typst = 'imr-note', docx = 'Imr Note'},
  ['imr-kicker'] = {typst = 'imr-kicker', docx = 'Imr Kicker'},
  ['crisis'] = {typst = 'imr-crisis', docx = 'Imr Crisis'},
  ['voice'] = {typst = 'imr-voice', docx = 'Imr Voice'},
  ['imr-compact'] = {typst = 'imr-compact', docx = 'Imr Compact'},
}

local function box_heading(div, class)
  if class == 'voice' then return div.attributes['label'] or VOICE_LABEL end
  if class == 'crisis' then return div.attributes['title'] or CRISIS_TITLE end
  return ''
end

render_box = function(div, class)
  local spec = BOXES[class]
  local content = layout_blocks(div.content)
  local heading = box_heading(div, class)
  if is_typst then
    local args = ''
    if class == 'voice' then args = 'label: ' .. typst_string(heading) end
    if class == 'crisis' then args = 'title: ' .. typst_string(heading) end
    return typst_call(spec.typst, args, content, div.identifier)
  elseif is_docx then
    local inner = List{}
    if heading ~= '' then
      inner:insert(docx_style(spec.docx .. ' Title', {pandoc.Para({pandoc.Str(heading)})}))
    end
    inner:extend(content)
    local frame = DOCX_FRAMES[class]
    if frame then return docx_frame(List{docx_style(spec.docx, inner)}, frame[1], frame[2]) end
    return List{docx_style(spec.docx, inner)}
  end
  local inner = List{}
  if heading ~= '' then
    inner:insert(pandoc.Div({pandoc.Plain({pandoc.Str(heading)})}, pandoc.Attr('', {class .. '-label'})))
  end
  inner:extend(content)
  div.content = inner
  return div
end

-- The form elements inside a box or a worksheet (a bottom-up walk; `lines` may fill answers).
layout_blocks = function(blocks, lines)
  return pandoc.Div(blocks):walk({
    Div = function(inner)
      if has_class(inner, 'lines') then
        if lines then return lines(inner) end
        return render_lines(lines_count(inner))
      end
      if has_class(inner, 'balance') then return render_grid(inner, true) end
      if has_class(inner, 'columns') then return render_grid(inner, false) end
      if has_class(inner, 'crisis') then return render_box(inner, 'crisis') end
      if has_class(inner, 'voice') then return render_box(inner, 'voice') end
    end,
    BulletList = function(list)
      if is_checklist(list) then return render_checklist(list) end
    end,
    Table = function(tbl)
      if is_writing_table(tbl) then return render_writing_table(tbl) end
      return rating_filter(tbl)
    end,
  }).content
end

local DOCUMENT_END = '// imr-document-end'

-- The end of a document's last part and of the document, as labels page.typ counts pages by.
local function typst_document_end(last_part)
  local text = ''
  if last_part > 0 then text = '#metadata(none) <imr-end-' .. last_part .. '>\n' end
  return text .. '#metadata("end") <imr-end>'
end
local TOC_TITLE = List{}

-- A Word table-of-contents field; Word fills it in when the document is opened.
function docx_toc(depth)
  local out = List{}
  if #TOC_TITLE > 0 then out:insert(docx_style('TOC Heading', {pandoc.Para(TOC_TITLE)})) end
  out:insert(pandoc.RawBlock('openxml',
    '<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>' ..
    '<w:r><w:instrText xml:space="preserve">TOC \\o "1-' .. depth .. '" \\h \\z \\u</w:instrText></w:r>' ..
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t></w:t></w:r>' ..
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'))
  return out
end

-- A list of links to the document's headings, for HTML.
function html_toc(headers, depth)
  local items = List{}
  for _, h in ipairs(headers) do
    if h.level <= depth then
      local link = pandoc.Link(h.content, '#' .. h.identifier)
      local item = {pandoc.Plain({link})}
      items:insert(pandoc.Div(item, pandoc.Attr('', {'toc-level-' .. h.level})))
    end
  end
  local out = List{}
  if #TOC_TITLE > 0 then out:insert(pandoc.Div({pandoc.Plain(TOC_TITLE)}, pandoc.Attr('', {'toc-title'}))) end
  out:extend(items)
  return pandoc.Div(out, pandoc.Attr('', {'imr-toc'}))
end

local QUOTES = {
  sv = {double = {'”', '”'}, single = {'’', '’'}},
  en = {double = {'“', '”'}, single = {'‘', '’'}},
}

local function localised_quote(el)
  local marks = QUOTES[LANG] or QUOTES.sv
  local pair = el.quotetype == 'DoubleQuote' and marks.double or marks.single
  local out = List{pandoc.Str(pair[1])}
  out:extend(el.content)
  out:insert(pandoc.Str(pair[2]))
  return out
end

-- A rating scale in a table cell ("1 2 3 4 5"): the choices spread 9 mm apart, to circle one
-- with an unsteady hand.
local function rating_cell(cell)
  if #cell.contents ~= 1 then return nil end
  local text = stringify(cell.contents[1])
  if not text:match('^%d[ %d]*%d$') or text:match('%d%d') then return nil end
  if is_typst then
    local digits = {}
    for d in text:gmatch('%d') do digits[#digits + 1] = d end
    return {raw('#imr-rating(' .. table.concat(digits, ', ') .. ')')}
  end
  if is_html then return {pandoc.Div({pandoc.Plain({pandoc.Str(text)})}, pandoc.Attr('', {'rating'}))} end
  return {pandoc.Plain({pandoc.Str((text:gsub(' ', '\u{2003}\u{2003}')))})}
end

rating_filter = function(tbl)
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      for _, cell in ipairs(row.cells) do
        local contents = rating_cell(cell)
        if contents then cell.contents = contents end
      end
    end
  end
  return tbl
end

local function is_local_file(target)
  if target:match('^#') then return false end
  if target:match('^[%a][%w+.-]*:') then return false end
  return true
end

-- The document --------------------------------------------------------------------------------

-- The passes -----------------------------------------------------------------------------------
--
-- Both passes walk top-down, so the part markers are met in document order and `part` always
-- names the part being walked. Several documents may share this run (separated by
-- `.imr-document` markers): a part is known by its key "document:part", and ids never point
-- from one document into another. The passes are element filters, not a `Pandoc` function:
-- pandoc then hands Lua only the elements asked for, instead of the whole bundle.

local ids = {}            -- part key -> { old id -> new id }
local first_with = {}     -- document -> { old id -> new id in its first part that has it }
local prefills = {}       -- part key -> { kind -> prefill }
local headings = {}       -- document -> headers with ids (for the HTML table of contents)
local document, part, shift = 1, 0, 0
local key = '1:0'
-- Several pandoc processes may share a bundle, each converting a run of whole parts (see
-- imr.render.pandoc): `imr-first-document` numbers the first document this run holds.
local FIRST_DOCUMENT = 1

local function rename(el)
  if el.identifier and el.identifier ~= '' then
    local old = el.identifier
    local new = part > 0 and ('p' .. part .. '-' .. old) or old
    ids[key] = ids[key] or {}
    ids[key][old] = new
    first_with[document] = first_with[document] or {}
    if first_with[document][old] == nil then first_with[document][old] = new end
    el.identifier = new
    return el
  end
end

local read_meta = {
  Meta = function(meta)
    local lang = stringify(meta.lang or '')
    if lang ~= '' then LANG = lang:sub(1, 2) end
    FIRST_DOCUMENT = math.floor(tonumber(stringify(meta['imr-first-document'] or '')) or 1)
    document, key = FIRST_DOCUMENT, FIRST_DOCUMENT .. ':0'
    if meta['imr-toc-title'] then TOC_TITLE = pandoc.Inlines({pandoc.Str(stringify(meta['imr-toc-title']))}) end
    if meta['imr-voice-label'] then VOICE_LABEL = stringify(meta['imr-voice-label']) end
    if meta['imr-crisis-title'] then CRISIS_TITLE = stringify(meta['imr-crisis-title']) end
    for name, value in pairs(meta) do
      local picture = name:match('^imr%-picture%-([%w%-]+)$')
      if picture then PICTURE_ALT[picture] = stringify(value) end
    end
  end,
}

-- Pass 1: follow the parts, rename ids, shift headings, take out the prefilled answers.
local pass_ids = {
  traverse = 'topdown',
  Div = function(div)
    local n = part_marker(div)
    if n ~= nil then
      part, shift = n, 0
      key = document .. ':' .. part
      return div, false
    end
    if has_class(div, 'imr-document') or has_class(div, 'imr-end') then
      if has_class(div, 'imr-document') then
        document, part, shift = document + 1, 0, 0
        key = document .. ':0'
      end
      return div, false
    end
    local s = shift_marker(div)
    if s ~= nil then
      shift = s
      return {}, false
    end
    if has_class(div, 'imr-prefill') then
      div = div:walk({Quoted = localised_quote})
      prefills[key] = prefills[key] or {}
      prefills[key][div.attributes['kind'] or ''] = read_prefill(div)
      return {}, false
    end
    return rename(div)
  end,
  Header = function(h)
    if shift ~= 0 and not has_class(h, 'imr-keep-level') then
      h.level = math.min(6, math.max(1, h.level + shift))
    end
    rename(h)
    if is_html and h.identifier ~= '' then  -- only HTML writes its own table of contents
      headings[document] = headings[document] or List{}
      headings[document]:insert(h:clone())
    end
    return h, false
  end,
  Span = rename, CodeBlock = rename, Table = rename, Figure = rename,
}


-- Pass 0 (the document's top level only): what must not be parted by a page break. Plain
-- structure, no measuring while typst lays out pages (that would cost time and converge badly):
--
-- * A heading keeps at least three lines of text with it: it goes into one unbreakable block
--   with the paragraphs after it until about three lines are in (a paragraph is never cut:
--   a long one goes whole), or with the first items of a list that follows.
-- * A lead-in sentence ending in ":" or "till exempel" (or "for example") keeps the first two
--   items of its list with it, the same way (the list goes on after the block, numbered on).
-- * Short closing sections ("Att ta med sig", "Repetitionsfrågor": ids `takeaway`,
--   `review-questions`, `questions`) are one unbreakable block, heading and all.
-- Only the top-level block list holds the part markers, so only it is changed: nothing inside a
-- box or a worksheet (which never break anyway).
local CLOSING = {['takeaway'] = true, ['review-questions'] = true, ['questions'] = true}
local LEAD_IN_ENDS = {':', 'till exempel', 'for example', 't.ex.'}
local CHARS_PER_LINE = 62  -- 14 pt on 140 mm (page.typ)

local function is_lead_in(block)
  if not block or block.t ~= 'Para' then return false end
  local text = stringify(block):gsub('%s+$', '')
  for _, ending in ipairs(LEAD_IN_ENDS) do
    if text:sub(-#ending) == ending then return true end
  end
  return false
end

local function is_list(block)
  return block ~= nil and (block.t == 'BulletList' or block.t == 'OrderedList')
end

local function estimated_lines(blocks)
  local n = 0
  for _, block in ipairs(blocks) do
    n = n + math.max(1, math.ceil((utf8.len(stringify(block)) or 0) / CHARS_PER_LINE))
  end
  return n
end

local function ends_section(block)
  return block.t == 'Header' or (block.t == 'Div' and (has_class(block, 'imr-part') or has_class(block, 'imr-end')
    or has_class(block, 'imr-piece-end')
    or has_class(block, 'imr-document') or has_class(block, 'worksheet') or has_class(block, 'imr-card')))
end

-- A list cut after `n` items: the head (kept with what precedes it) and the rest (or nil).
local function cut_list(list, n)
  if #list.content <= n then return list, nil end
  local head, rest = list:clone(), list:clone()
  head.content = List{table.unpack(list.content, 1, n)}
  rest.content = List{table.unpack(list.content, n + 1)}
  if list.t == 'OrderedList' then
    local start = (list.listAttributes and list.listAttributes.start) or 1
    rest.listAttributes = pandoc.ListAttributes(start + n, list.listAttributes.style, list.listAttributes.delimiter)
  end
  return head, rest
end

local function keep_block(blocks, tight_below)
  if is_typst then
    local out = List{raw('#block(breakable: false, width: 100%' .. (tight_below and ', below: 0.8em' or '') .. ')[')}
    out:extend(blocks)
    out:insert(raw(']'))
    return out
  end
  return List{pandoc.Div(blocks, pandoc.Attr('', {'imr-keep'}))}
end

local function rest_of_list(rest)
  if is_typst then
    return List{raw('#block(above: 0.8em, width: 100%)['), rest, raw(']')}
  end
  return List{rest}
end

local pass_keep = {
  traverse = 'topdown',
  Blocks = function(blocks)
    local out = List{}
    local i = 1
    while i <= #blocks do
      local block = blocks[i]
      if block.t == 'Header' and CLOSING[block.identifier] then
        local section = List{block}
        local j = i + 1
        while j <= #blocks and not ends_section(blocks[j]) do
          section:insert(blocks[j])
          j = j + 1
        end
        out:extend(keep_block(section))
        i = j
      elseif block.t == 'Header' or (is_lead_in(block) and is_list(blocks[i + 1])) then
        -- Gather paragraphs until three lines are in; a lead-in takes two items of its list.
        local group, rest = List{block}, nil
        local j = i + 1
        local wanted = block.t == 'Header' and 3 or 0
        while j <= #blocks do
          local next_block = blocks[j]
          if next_block.t == 'Para' and estimated_lines(group) - (block.t == 'Header' and 1 or 0) < wanted then
            group:insert(next_block)
            j = j + 1
            if is_lead_in(next_block) and is_list(blocks[j]) then wanted = 0 end
          elseif is_list(next_block) and (is_lead_in(group[#group]) or estimated_lines(group) < wanted + 1) then
            local head
            local have = estimated_lines(group) - (block.t == 'Header' and 1 or 0)
            head, rest = cut_list(next_block, math.max(2, wanted - have))
            group:insert(head)
            j = j + 1
            break
          else
            break
          end
        end
        if #group > 1 then
          out:extend(keep_block(group, rest ~= nil))
          if rest then out:extend(rest_of_list(rest)) end
        else
          out:insert(block)  -- a heading before a box or worksheet: sticky in page.typ
        end
        i = j
      else
        out:insert(block)
        i = i + 1
      end
    end
    return out, false
  end,
}

-- Typst: a link to an id outside its own part may point into a part another pandoc process
-- converts, so it gets a stand-in target here, and imr.render.pandoc points it at the first
-- part of the document that has the id (or leaves only its text) once all parts are back,
-- from the table `part_table` writes after each part. HTML and DOCX are converted whole.
local deferred = {}       -- part key -> { stand-in -> old id }
local deferred_count = {} -- part key -> links deferred so far

local function resolve(link)
  local target = link.target
  if target:match('^#') then
    local old = target:sub(2)
    local own = ids[key] and ids[key][old]
    if own == nil and is_typst then
      deferred_count[key] = (deferred_count[key] or 0) + 1
      local stand_in = 'imr-xref-' .. key:gsub(':', '-') .. '-' .. deferred_count[key]
      if stringify(link.content) == '#' .. stand_in then return link.content end
      deferred[key] = deferred[key] or {}
      deferred[key][stand_in] = old
      link.target = '#' .. stand_in
      return link
    end
    local new = own or (first_with[document] and first_with[document][old])
    if new == nil then return link.content end
    link.target = '#' .. new
    return link
  elseif is_local_file(target) then
    return link.content
  end
end

-- One line after each part, for imr.render.pandoc (which takes these lines out): the part's
-- ids (as written → with the part's prefix) and its deferred links (stand-in → id). It is
-- written even when empty, so the lines around it are the same in a piece as in the whole.
local function part_table(part_key)
  local table_ids, links = ids[part_key] or {}, deferred[part_key] or {}
  return {raw('// imr-part ' .. part_key .. ' ' .. pandoc.json.encode({ids = table_ids, links = links}))}
end

local function inlines_done(blocks)
  local filter = {Link = resolve, Quoted = localised_quote}
  return pandoc.Div(blocks):walk(filter).content
end


-- Pass 2: links, quotes, worksheets, boxes, lines, page structure.
local pass_layout = {
  traverse = 'topdown',
  Div = function(div)
    local n = part_marker(div)
    if n ~= nil then
      -- Parts are numbered 1, 2, … in each document, so the one before part n is n - 1 (also
      -- when an earlier part went through another pandoc process).
      local previous = n - 1
      local out = List(is_typst and part_table(key) or {})
      part = n
      key = document .. ':' .. part
      if is_typst then
        if previous > 0 then out:insert(raw('#metadata(none) <imr-end-' .. previous .. '>')) end
        out:insert(raw('#imr-part-break(' .. n .. ')'))
        out:insert(raw('#set page(header: imr-header(' .. n .. '), footer: imr-footer(' .. n .. '))'))
        out:insert(raw('#imr-part-start(' .. n .. ')'))
        return out, false
      end
      if is_docx and n > 1 then return pandoc.RawBlock('openxml', PAGE_BREAK), false end
      if is_html and n > 1 then return pandoc.Div({}, pandoc.Attr('', {'imr-part-start'})), false end
      return {}, false
    end
    if has_class(div, 'imr-piece-end') then  -- the end of a piece that is not the bundle's last
      return List(is_typst and part_table(key) or {}), false
    end
    if has_class(div, 'imr-end') then
      if is_typst then
        local out = List(part_table(key))
        out:insert(raw(typst_document_end(part)))
        return out, false
      end
      return {}, false
    end
    if has_class(div, 'imr-document') then
      document, part = document + 1, 0
      key = document .. ':0'
      if is_typst then return raw(DOCUMENT_END), false end
      return {}, false
    end
    if has_class(div, 'imr-card') then
      div.content = inlines_done(div.content)
      return render_card(div), false
    end
    if has_class(div, 'worksheet') then
      div.content = inlines_done(div.content)
      local kind = div.attributes['prefill']
      local prefill = kind and prefills[key] and prefills[key][kind] or nil
      return render_worksheet(div, prefill), false
    end
    if has_class(div, 'lines') then return render_lines(lines_count(div)), false end
    if has_class(div, 'balance') or has_class(div, 'columns') then
      div.content = inlines_done(div.content)
      return layout_blocks({div}), false
    end
    if has_class(div, 'imr-imrs-chart') then
      if is_typst then return raw('#imr-imrs-chart()'), false end
      return div, true
    end
    if has_class(div, 'imr-pagebreak') then
      if is_typst then return raw('#pagebreak(weak: true)'), false end
      if is_docx then return pandoc.RawBlock('openxml', PAGE_BREAK), false end
      return div, false
    end
    if has_class(div, 'imr-toc') then
      local depth = tonumber(div.attributes['depth']) or 1
      if is_typst then return raw('#imr-toc()'), false end
      if is_docx then return docx_toc(depth), false end
      return html_toc(headings[document] or List{}, depth), false
    end
    if has_class(div, 'picture') then return render_picture(div), false end
    if has_class(div, 'imr-chart') then
      local name = (div.attributes['name'] or ''):gsub('[^%w%-]', '')
      -- `like`: another chart whose scale this one takes (the quarters of one week grid)
      local like = (div.attributes['like'] or name):gsub('[^%w%-]', '')
      if is_typst then return raw('#imr-chart(' .. typst_string(name) .. ', like: ' .. typst_string(like) .. ')'), false end
      return {}, false
    end
    if is_typst and has_class(div, 'imr-kicker') then
      return {}, false  -- the running header prints the module line on every page, page 1 too
    end
    if has_class(div, 'imr-name') then
      local label = stringify(div.content)
      if is_typst then return raw('#imr-name-line(' .. typst_string(label) .. ')'), false end
      if is_docx then
        return docx_style('Imr Name', {pandoc.Para({pandoc.Str(label .. ':'), pandoc.Space(),
          pandoc.Str(string.rep('_', 30))})}), false
      end
      return pandoc.Div({pandoc.Plain({pandoc.Str(label .. ':')})}, pandoc.Attr('', {'imr-name'})), false
    end
    for _, class in ipairs(BOX_ORDER) do
      if has_class(div, class) then
        div.content = inlines_done(div.content)
        return render_box(div, class) or div, false
      end
    end
  end,
  Link = resolve,
  Quoted = localised_quote,

  BulletList = function(list)
    if is_checklist(list) then return render_checklist(list), false end
  end,
  Table = function(tbl)
    if is_writing_table(tbl) then return render_writing_table(tbl), false end
    return rating_filter(tbl), false
  end,
  Span = function(span)
    -- `[]{.imr-pageref part=3}`: the page part 3 starts on (PDF only; other formats have none).
    if has_class(span, 'imr-pageref') then
      local n = tonumber(span.attributes['part'] or '')
      if is_typst and n then
        local out = List(span.content)
        out:insert(pandoc.Space())
        out:insert(pandoc.RawInline('typst', '#imr-part-page(' .. math.floor(n) .. ')'))
        return out
      end
      return {}
    end
  end,
}

-- Between the passes: back to the start of the first document (Meta is visited once, cheaply).
local restart = {
  Meta = function()
    document, part, shift = FIRST_DOCUMENT, 0, 0
    key = FIRST_DOCUMENT .. ':0'
  end,
}

return {read_meta, pass_keep, pass_ids, restart, pass_layout}
