--[[
  Trims a stream towards a length, but never past an entry that some consumer group has not yet
  read and acknowledged: what a group still owes stays, however long the stream grows meanwhile.

  KEYS[1] the stream

  ARGV[1] the length to keep (at least)
  ARGV[2] the most entries one call may look at (bounds the work; the next call goes on)

  Returns the number of entries trimmed (approximate trimming: whole radix-tree nodes only).
]]
local stream = KEYS[1]
local keep, most = tonumber(ARGV[1]), tonumber(ARGV[2])
local length = redis.call("XLEN", stream)
if length <= keep then return 0 end

local function parse(id)
  local ms, seq = string.match(id, "^(%d+)-(%d+)$")
  return tonumber(ms), tonumber(seq)
end
local function before(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end

-- The first entry to keep by length alone (or as far as this call may go).
local head = redis.call("XRANGE", stream, "-", "+", "COUNT", math.min(length - keep, most) + 1)
local limit = head[#head][1]

for _, fields in ipairs(redis.call("XINFO", "GROUPS", stream)) do
  local group = {}
  for i = 1, #fields, 2 do group[fields[i]] = fields[i + 1] end
  -- Not yet read by the group: everything after its last-delivered-id.
  local ms, seq = parse(group["last-delivered-id"])
  local firstUnread = ms .. "-" .. (seq + 1)
  if before(firstUnread, limit) then limit = firstUnread end
  -- Read but not acknowledged: from its oldest pending entry on.
  if tonumber(group["pending"]) > 0 then
    local oldestPending = redis.call("XPENDING", stream, group["name"])[2]
    if before(oldestPending, limit) then limit = oldestPending end
  end
end

return redis.call("XTRIM", stream, "MINID", "~", limit)
