--[[
  Puts one dead letter back on its stream and removes it from the dead-letter stream, in one step:
  two replays of the same dead letter at once (two admins, a retried request) add it back once.

  KEYS[1] the dead-letter stream
  KEYS[2] the stream it came from

  ARGV[1] the dead letter's id
  ARGV[2..n] the fields a dead letter carries besides the original entry's own

  Returns the entry's new id on the stream; false when there is no such dead letter (gone already);
  an error when it holds no original fields (the entry was trimmed before it was dead-lettered) or
  came from another stream.
]]
local dlq, stream, id = KEYS[1], KEYS[2], ARGV[1]
local entry = redis.call("XRANGE", dlq, id, id)[1]
if not entry then return false end

local added = {}
for i = 2, #ARGV do added[ARGV[i]] = true end
local fields, original = entry[2], {}
local from, reason = nil, ""
for i = 1, #fields, 2 do
  local name, value = fields[i], fields[i + 1]
  if name == "originalStream" then from = value end
  if name == "error" then reason = value end
  if not added[name] then
    original[#original + 1] = name
    original[#original + 1] = value
  end
end
if from ~= stream then
  return redis.error_reply("dead letter " .. id .. " came from " .. tostring(from) .. ", not " .. stream)
end
if #original == 0 then
  return redis.error_reply("dead letter " .. id .. " has nothing to replay: " .. reason)
end
local newId = redis.call("XADD", stream, "*", unpack(original))
redis.call("XDEL", dlq, id)
return newId
