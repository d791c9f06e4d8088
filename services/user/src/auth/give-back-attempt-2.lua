--[[
  A login attempt that succeeded gives its count back: the email's failures are forgiven, the IP's
  counter goes down by the one attempt it took (never below zero, never left without its expiry).

  KEYS[1] the email's attempt counter
  KEYS[2] the IP's attempt counter
]]
redis.call("DEL", KEYS[1])
if (tonumber(redis.call("GET", KEYS[2])) or 0) > 0 then redis.call("DECR", KEYS[2]) end
return 1
