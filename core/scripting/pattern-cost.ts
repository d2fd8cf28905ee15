// The part of the Lua pattern module (patterns.ts) that estimates how much a pattern may
// backtrack, so the sandbox's prelude sends only the costly calls to the Lua matcher.

export const PATTERN_COST = `-- For the sandbox's cost estimate: the repetitions of a pattern that may backtrack (all but one
-- ending the pattern), as classes whose longest run in the subject bounds them, and the count of
-- items that may scan the whole subject (a repeated '.', %b, back-references). nil when malformed.
local function item_end(p, i, m)
  local c = byte(p, i)
  if c == ESC then
    if i + 1 > m then return nil end
    return i + 2
  end
  if c == 91 then -- [
    local j = i + 1
    if byte(p, j) == 94 then j = j + 1 end
    repeat
      if j > m then return nil end
      local cc = byte(p, j)
      j = j + 1
      if cc == ESC and j <= m then j = j + 1 end
    until byte(p, j) == 93
    return j + 1
  end
  return i + 1
end

local function analyse(p, anchors)
  local i, m = 1, #p
  local anchored = anchors and byte(p, 1) == 94
  if anchored then i = 2 end
  local items, unbounded, pairs_ = {}, 0, 0
  while i <= m do
    local c, d = byte(p, i), byte(p, i + 1)
    if c == 40 or c == 41 or (c == 36 and i == m) then -- ( ) and a final $
      i = i + 1
    elseif c == ESC and d == 98 then -- %bxy
      if i + 3 > m then return nil end
      unbounded = unbounded + 1
      i = i + 4
    elseif c == ESC and d == 102 then -- %f[set]
      if byte(p, i + 2) ~= 91 then return nil end
      i = item_end(p, i + 2, m)
      if not i then return nil end
    elseif c == ESC and d and d >= 48 and d <= 57 then -- back-reference
      unbounded = unbounded + 1
      i = i + 2
    else
      local e = item_end(p, i, m)
      if not e then return nil end
      local q = byte(p, e)
      if q == 42 or q == 43 or q == 45 or q == 63 then
        items[#items + 1] = { sub(p, i, e - 1), q, e + 1 }
        i = e + 1
      else
        i = e
      end
    end
  end
  local last = items[#items]
  if last and not s_find(p, '[^)]', last[3]) then items[#items] = nil end
  local classes = {}
  for _, item in ipairs(items) do
    local class, q = item[1], item[2]
    if q == 63 then pairs_ = pairs_ + 1 -- ? takes one byte or none
    elseif class == '.' then unbounded = unbounded + 1
    else
      if #class == 1 and not s_find(class, '%w') then class = '%' .. class end
      classes[#classes + 1] = class
    end
  end
  return { anchored = anchored, unbounded = unbounded, optional = pairs_, classes = classes }
end

`
