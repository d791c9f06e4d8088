--[[
  Gives a login attempt's count back: after a login that succeeded the email's failures are
  forgiven; after an attempt whose password could not be checked at all (a dependency away) only
  that attempt is taken back. The IP's counter goes down by the one attempt either way (never below
  zero, never left without its expiry).

  KEYS[1] the email's attempt counter
  KEYS[2] the IP's attempt counter

  ARGV[1] "succeeded" | "unchecked"
]]
local function takeOneBack(key)
  if (tonumber(redis.call("GET", key)) or 0) > 0 then redis.call("DECR", key) end
end
if ARGV[1] == "succeeded" then redis.call("DEL", KEYS[1]) else takeOneBack(KEYS[1]) end
takeOneBack(KEYS[2])
return 1
