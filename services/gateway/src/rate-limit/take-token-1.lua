--[[
  Token bucket: takes one token if there is one. Time comes from the Redis server, so every gateway
  replica sees the same clock.

  KEYS[1] the bucket (hash: tokens, at)

  ARGV[1] capacity (the largest burst)
  ARGV[2] refill, tokens per second

  Returns { allowed (1|0), tokens left (whole), ms until the next token, ms until the bucket is full }
]]
local capacity, perSecond = tonumber(ARGV[1]), tonumber(ARGV[2])
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local tokens, at = unpack(redis.call("HMGET", KEYS[1], "tokens", "at"))
tokens = tonumber(tokens) or capacity
at = tonumber(at) or now
tokens = math.min(capacity, tokens + (now - at) * perSecond / 1000)

local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
local untilFull = math.ceil((capacity - tokens) * 1000 / perSecond)
redis.call("HSET", KEYS[1], "tokens", tokens, "at", now)
redis.call("PEXPIRE", KEYS[1], untilFull + 1000)
local untilNext = 0
if tokens < 1 then untilNext = math.ceil((1 - tokens) * 1000 / perSecond) end
return { allowed, math.floor(tokens), untilNext, untilFull }
