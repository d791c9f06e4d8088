--[[
  Sets a new product's stock and makes it sellable. Called in the product's transaction, right
  before it commits, so a product never exists without stock; its product.created event goes
  through the catalog's outbox in Postgres, so an event is only ever published for a product that
  was really stored.

  KEYS[1] stock levels hash
  KEYS[2] sellable catalog hash (sku -> JSON [name, unitPriceCents, currency])

  ARGV[1] sku
  ARGV[2] initial available quantity
  ARGV[3] low-stock threshold
  ARGV[4] the catalog entry, JSON [name, unitPriceCents, currency]

  Returns "OK".
]]
local levels, catalog = KEYS[1], KEYS[2]
local sku, available, threshold = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call("HSET", levels, sku .. ":available", available, sku .. ":reserved", 0, sku .. ":threshold", threshold)
if available <= threshold then redis.call("HSET", levels, sku .. ":low", "1") else redis.call("HDEL", levels, sku .. ":low") end
redis.call("HSET", catalog, sku, ARGV[4])
return "OK"
