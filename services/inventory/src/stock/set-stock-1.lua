--[[
  Sets a new product's stock counters. Called in the product's transaction, right before it
  commits, so a product never exists without stock; the product becomes sellable (set-sellable-2)
  only once it is committed, and its product.created event goes through the catalog's outbox in
  Postgres, so neither a reservation nor an event ever sees a product that was not stored.

  KEYS[1] stock levels hash

  ARGV[1] sku
  ARGV[2] initial available quantity
  ARGV[3] low-stock threshold

  Returns "OK".
]]
local levels = KEYS[1]
local sku, available, threshold = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call("HSET", levels, sku .. ":available", available, sku .. ":reserved", 0, sku .. ":threshold", threshold)
if available <= threshold then redis.call("HSET", levels, sku .. ":low", "1") else redis.call("HDEL", levels, sku .. ":low") end
return "OK"
