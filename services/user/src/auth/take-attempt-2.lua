--[[
  Takes one login attempt for an email and a client IP, before the password is checked, so that
  concurrent guesses cannot all pass a check made before any of them was counted. Each counter
  lives in a fixed window that starts with its first attempt.

  KEYS[1] the email's attempt counter
  KEYS[2] the IP's attempt counter

  ARGV[1] attempts allowed per email in a window
  ARGV[2] attempts allowed per IP in a window
  ARGV[3] window, seconds

  Returns { allowed (1|0), seconds until the blocking window ends (0 when allowed) }
]]
local limits = { tonumber(ARGV[1]), tonumber(ARGV[2]) }
local window = tonumber(ARGV[3])

for i = 1, 2 do
  if (tonumber(redis.call("GET", KEYS[i])) or 0) >= limits[i] then
    return { 0, math.max(1, redis.call("TTL", KEYS[i])) }
  end
end
for i = 1, 2 do
  if redis.call("INCR", KEYS[i]) == 1 then redis.call("EXPIRE", KEYS[i], window) end
end
return { 1, 0 }
