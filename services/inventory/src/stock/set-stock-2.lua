--[[
  Sets a new product's stock and queues its product.created event, together.

  KEYS[1] stock levels hash
  KEYS[2] event outbox

  ARGV[1] sku
  ARGV[2] initial available quantity
  ARGV[3] low-stock threshold
  ARGV[4] the product.created event, JSON

  Returns "OK".
]]
local levels, outbox = KEYS[1], KEYS[2]
local sku, available, threshold = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call("HSET", levels, sku .. ":available", available, sku .. ":reserved", 0, sku .. ":threshold", threshold)
if available <= threshold then redis.call("HSET", levels, sku .. ":low", "1") else redis.call("HDEL", levels, sku .. ":low") end
redis.call("RPUSH", outbox, ARGV[4])
return "OK"
