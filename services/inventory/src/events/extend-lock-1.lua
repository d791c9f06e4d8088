--[[
  Extends a lock's lease only if this holder still owns it (its lease may have run out and another
  replica taken it: then this one must stop, not extend the other's lock).

  KEYS[1] the lock

  ARGV[1] the holder's token
  ARGV[2] the new lease (ms)

  Returns 1 when extended, 0 when it was not ours.
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0
