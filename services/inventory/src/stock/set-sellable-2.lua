--[[
  Copies products' names and prices into the sellable catalog, and their low-stock thresholds into
  the stock levels, each product only if it is newer than the copy there: the request that changed
  a product and the relay that publishes the change both copy it, in any order, and an older copy
  never overwrites a newer one.

  KEYS[1] sellable catalog hash: sku -> JSON [name, unitPriceCents, currency, version, archived?]
  KEYS[2] stock levels hash ("<sku>:threshold")

  ARGV[1..] triples: sku, entry JSON (its version: the product's updatedAt in ms), threshold (""
            when the copy carries none)

  Returns how many entries were written.
]]
local catalog, levels = KEYS[1], KEYS[2]
local function version(entry)
  local v = cjson.decode(entry)[4]
  return type(v) == "number" and v or 0
end
local written = 0
for i = 1, #ARGV, 3 do
  local sku, entry, threshold = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local current = redis.call("HGET", catalog, sku)
  if not current or version(current) <= version(entry) then
    redis.call("HSET", catalog, sku, entry)
    if threshold ~= "" then
      redis.call("HSET", levels, sku .. ":threshold", threshold)
      -- The low flag means "announced since the stock last fell to the threshold": with the stock now
      -- above it (a threshold lowered), the next fall is a new crossing and must be announced.
      if tonumber(redis.call("HGET", levels, sku .. ":available") or "0") > tonumber(threshold) then
        redis.call("HDEL", levels, sku .. ":low")
      end
    end
    written = written + 1
  end
end
return written
