--[[
  Adds stock to a SKU and queues its stock.replenished event, together.

  KEYS[1] stock levels hash
  KEYS[2] event outbox
  KEYS[3] sellable catalog hash (an archived product's entry is a tombstone: JSON with a 5th element)

  ARGV[1] sku
  ARGV[2] quantity to add (> 0)
  ARGV[3] event id
  ARGV[4] now, ISO-8601
  ARGV[5] request id
  ARGV[6] W3C traceparent of the caller's span, or "" (untraced): the event continues its trace

  Returns JSON {"result":"ok","available":n,"reserved":n,"threshold":n} or {"result":"not_found"}
  (no such SKU, or archived).
]]
local levels, outbox, catalog = KEYS[1], KEYS[2], KEYS[3]
local sku, quantity = ARGV[1], tonumber(ARGV[2])
if redis.call("HEXISTS", levels, sku .. ":available") == 0 then return cjson.encode({ result = "not_found" }) end
-- Archived meanwhile (the caller read the product before the archive): no stock for it, no event.
local entry = redis.call("HGET", catalog, sku)
if entry and cjson.decode(entry)[5] then return cjson.encode({ result = "not_found" }) end
local available = redis.call("HINCRBY", levels, sku .. ":available", quantity)
local reserved = tonumber(redis.call("HGET", levels, sku .. ":reserved") or "0")
local threshold = tonumber(redis.call("HGET", levels, sku .. ":threshold") or "0")
if available > threshold then redis.call("HDEL", levels, sku .. ":low") end
redis.call("RPUSH", outbox, cjson.encode({
  id = ARGV[3], type = "stock.replenished", version = 1, occurredAt = ARGV[4], requestId = ARGV[5],
  traceparent = ARGV[6] ~= "" and ARGV[6] or nil, payload = { sku = sku, quantity = quantity, available = available, reserved = reserved },
}))
return cjson.encode({ result = "ok", available = available, reserved = reserved, threshold = threshold })
