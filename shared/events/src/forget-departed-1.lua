--[[
  Deletes a group's consumers that hold nothing and have been idle longer than a bound: processes
  that are gone (killed, or stopped while holding entries reclaimed since). One script, so no entry
  can be delivered to a consumer between the look at it and its deletion (DELCONSUMER drops what a
  consumer holds). A live consumer deleted while it waits for entries comes back with its next one.

  KEYS[1] the stream
  ARGV[1] the group
  ARGV[2] idle bound (ms)
  ARGV[3] the calling consumer (never deleted)

  Returns the names deleted.
]]
local deleted = {}
for _, fields in ipairs(redis.call("XINFO", "CONSUMERS", KEYS[1], ARGV[1])) do
  local info = {}
  for i = 1, #fields, 2 do info[fields[i]] = fields[i + 1] end
  if info.name ~= ARGV[3] and tonumber(info.pending) == 0 and tonumber(info.idle) > tonumber(ARGV[2]) then
    redis.call("XGROUP", "DELCONSUMER", KEYS[1], ARGV[1], info.name)
    deleted[#deleted + 1] = info.name
  end
end
return deleted
