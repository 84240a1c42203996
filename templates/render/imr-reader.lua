--[[
imr's pandoc reader: pandoc's Markdown, read one part at a time.

A bundle is one Markdown text with a marker line before each part (`::: {.imr-part n=K}`,
written by imr.render.markdown). Read as one text, pandoc numbers the identifiers it makes for
headings across the whole text: the second handout with a heading "Mål" gets `mål-1`, so a
part's anchors would depend on what came before it, and a bundle converted in pieces (by
several pandoc processes at once, imr.render.pandoc) would not match the same bundle
converted whole. Here each part is read on its own, so its identifiers are the ones it has
when read alone (imr.lua then gives them the prefix `pK-`), whatever precedes it.

The Markdown variant (pandoc's name with extensions) comes from imr in the environment
variable IMR_PANDOC_READER, so it is written in one place (imr.render.pandoc.READER).
]]

local MARKER = '\n::: {.imr-part n='

function Reader(input, opts)
  local format = os.getenv('IMR_PANDOC_READER')
  if format == nil or format == '' then
    error('IMR_PANDOC_READER is not set')
  end
  local text = tostring(input)
  local blocks = pandoc.List()
  local start = 1
  repeat
    local next_part = text:find(MARKER, start, true)
    local piece = text:sub(start, next_part or #text)
    if piece:find('%S') then
      blocks:extend(pandoc.read(piece, format, opts).blocks)
    end
    start = next_part and next_part + 1
  until not start
  return pandoc.Pandoc(blocks)
end
