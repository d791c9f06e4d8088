--[[
  Copies products' names and prices into the sellable catalog, each only if it is newer than the
  copy there: the request that changed a product and the relay that publishes the change both copy
  it, in any order, and an older copy never overwrites a newer one.

  KEYS[1] sellable catalog hash: sku -> JSON [name, unitPriceCents, currency, version, archived?]

  ARGV[1..] pairs: sku, entry JSON (its version: the product's updatedAt in ms)

  Returns how many entries were written.
]]
local catalog = KEYS[1]
local function version(entry)
  local v = cjson.decode(entry)[4]
  return type(v) == "number" and v or 0
end
local written = 0
for i = 1, #ARGV, 2 do
  local sku, entry = ARGV[i], ARGV[i + 1]
  local current = redis.call("HGET", catalog, sku)
  if not current or version(current) <= version(entry) then
    redis.call("HSET", catalog, sku, entry)
    written = written + 1
  end
end
return written
