--[[
imr's pandoc filter: turns the curriculum's own Markdown conventions into print layout for
every output format, in the one pandoc process that converts a whole bundle.

* `::: {.imr-part n=K}` (an empty div the templates put before each part of a bundle) starts
  part K. Every identifier inside a part gets the prefix `pK-`, so the same handout twice in a
  bundle (one per group member) keeps valid, unique anchors; internal links are pointed at the
  copy in their own part, and a link whose target is not in the document keeps only its text.
  Links to local files keep only their text too: printed and self-contained documents cannot
  follow them.
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
  the caller splits the output at.
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
    local out = List{}
    for _, inlines in ipairs(answers) do
      out:insert(raw('#imr-line['))
      out:insert(pandoc.Plain(inlines))
      out:insert(raw(']'))
    end
    if blanks > 0 then out:insert(raw('#imr-lines(' .. blanks .. ')')) end
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

local function render_worksheet(div, prefill)
  local used = {}
  local content = div.content:walk({
    Div = function(inner)
      if has_class(inner, 'lines') then
        local key = inner.attributes['fill']
        local answers = nil
        if prefill and key and prefill.items[key] then
          answers = prefill.items[key]
          used[key] = true
        end
        return render_lines(lines_count(inner), answers)
      end
    end,
  })
  local box = List{}
  if prefill then box = prefilled_box(prefill, used) end
  local title = div.attributes['title'] or ''
  local body = List{}
  body:extend(box)
  body:extend(content)
  if is_typst then
    local args = 'title: ' .. typst_string(title)
    return typst_call('imr-worksheet', args, body, div.identifier)
  elseif is_docx then
    local cell = List{}
    if title ~= '' then cell:insert(docx_style('Imr Worksheet Title', {pandoc.Para({pandoc.Str(title)})})) end
    cell:extend(body)
    local row = pandoc.Row({pandoc.Cell(cell)})
    local tbody = {attr = pandoc.Attr(), body = List{row}, head = List{}, row_head_columns = 0}
    local table = pandoc.Table(pandoc.Caption(), {{pandoc.AlignDefault, 1.0}}, pandoc.TableHead(),
      {tbody}, pandoc.TableFoot(), pandoc.Attr(div.identifier, {'worksheet'}))
    return List{table}
  else
    local out = List{}
    if title ~= '' then
      out:insert(pandoc.Div({pandoc.Plain({pandoc.Str(title)})}, pandoc.Attr('', {'worksheet-title'})))
    end
    out:extend(body)
    return List{pandoc.Div(out, pandoc.Attr(div.identifier, {'worksheet'}))}
  end
end

-- Boxes and markers that only change the look -------------------------------------------------

local BOX_ORDER = {'imr-personal', 'imr-cover', 'imr-note', 'imr-kicker'}
local BOXES = {
  ['imr-personal'] = {typst = 'imr-personal', docx = 'Imr Personal'},
  ['imr-cover'] = {typst = 'imr-cover', docx = 'Imr Cover'},
  ['imr-note'] = {typst = 'imr-note', docx = 'Imr Note'},
  ['imr-kicker'] = {typst = 'imr-kicker', docx = 'Imr Kicker'},
}

local function render_box(div, class)
  local spec = BOXES[class]
  if is_typst then
    return typst_call(spec.typst, '', div.content, div.identifier)
  elseif is_docx then
    return List{docx_style(spec.docx, div.content)}
  end
  return nil
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
    if meta['imr-toc-title'] then TOC_TITLE = pandoc.Inlines({pandoc.Str(stringify(meta['imr-toc-title']))}) end
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
      if not is_typst then div = div:walk({Quoted = localised_quote}) end
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
    if h.identifier ~= '' then
      headings[document] = headings[document] or List{}
      headings[document]:insert(h:clone())
    end
    return h, false
  end,
  Span = rename, CodeBlock = rename, Table = rename, Figure = rename,
}

local function resolve(link)
  local target = link.target
  if target:match('^#') then
    local old = target:sub(2)
    local new = (ids[key] and ids[key][old]) or (first_with[document] and first_with[document][old])
    if new == nil then return link.content end
    link.target = '#' .. new
    return link
  elseif is_local_file(target) then
    return link.content
  end
end

local function inlines_done(blocks)
  local filter = {Link = resolve}
  if not is_typst then filter.Quoted = localised_quote end
  return pandoc.Div(blocks):walk(filter).content
end

local PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'

-- Pass 2: links, quotes, worksheets, boxes, lines, page structure.
local pass_layout = {
  traverse = 'topdown',
  Div = function(div)
    local n = part_marker(div)
    if n ~= nil then
      local previous = part
      part = n
      key = document .. ':' .. part
      if is_typst then
        local out = List{}
        if previous > 0 then out:insert(raw('#metadata(none) <imr-end-' .. previous .. '>')) end
        out:insert(raw('#set page(header: imr-header(' .. n .. '), footer: imr-footer(' .. n .. '))'))
        out:insert(raw('#imr-part-start(' .. n .. ')'))
        return out, false
      end
      if is_docx and n > 1 then return pandoc.RawBlock('openxml', PAGE_BREAK), false end
      if is_html and n > 1 then return pandoc.Div({}, pandoc.Attr('', {'imr-part-start'})), false end
      return {}, false
    end
    if has_class(div, 'imr-end') then
      if is_typst then return raw(typst_document_end(part)), false end
      return {}, false
    end
    if has_class(div, 'imr-document') then
      document, part = document + 1, 0
      key = document .. ':0'
      if is_typst then return raw(DOCUMENT_END), false end
      return {}, false
    end
    if has_class(div, 'worksheet') then
      div.content = inlines_done(div.content)
      local kind = div.attributes['prefill']
      local prefill = kind and prefills[key] and prefills[key][kind] or nil
      return render_worksheet(div, prefill), false
    end
    if has_class(div, 'lines') then return render_lines(lines_count(div)), false end
    if has_class(div, 'imr-pagebreak') then
      if is_typst then return raw('#pagebreak(weak: true)'), false end
      if is_docx then return pandoc.RawBlock('openxml', PAGE_BREAK), false end
      return div, false
    end
    if has_class(div, 'imr-toc') then
      local depth = tonumber(div.attributes['depth']) or 1
      if is_typst then return raw('#imr-toc(depth: ' .. depth .. ')'), false end
      if is_docx then return docx_toc(depth), false end
      return html_toc(headings[document] or List{}, depth), false
    end
    for _, class in ipairs(BOX_ORDER) do
      if has_class(div, class) then
        div.content = inlines_done(div.content)
        return render_box(div, class) or div, false
      end
    end
  end,
  Link = resolve,
  Quoted = (not is_typst) and localised_quote or nil,
}

-- Between the passes: back to the start of the first document (Meta is visited once, cheaply).
local restart = {
  Meta = function()
    document, part, shift = 1, 0, 0
    key = '1:0'
  end,
}

return {read_meta, pass_ids, restart, pass_layout}
