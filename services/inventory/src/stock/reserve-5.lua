--[[
  Reserves every line of a reservation, or none: one script, so no order can see half of it.

  KEYS[1] stock levels hash: "<sku>:available", "<sku>:reserved", "<sku>:threshold", "<sku>:low"
  KEYS[2] the reservation's hash
  KEYS[3] expiry index (sorted set: reservation id -> expiry in ms)
  KEYS[4] event outbox (list of event JSON, moved to the stream by the relay)
  KEYS[5] sellable catalog hash: sku -> JSON [name, unitPriceCents, currency, version, archived?]
          (a copy of the catalog in Postgres, so a reservation needs no database read; no entry or
          archived: not sellable)

  ARGV[1] reservation id
  ARGV[2] lines, JSON [[sku, quantity], ...], one line per SKU
  ARGV[3] expiry (ms since the epoch)
  ARGV[4] event ids, JSON [id, ...], one per line, for the stock.low events this may raise
  ARGV[5] now, ISO-8601 (occurredAt of those events)
  ARGV[6] request id
  ARGV[7] W3C traceparent of the caller's span, or "" (untraced): the events continue its trace

  Returns JSON:
    {"result":"reserved","state":"reserved","lines":...,"expiresAt":ms,"events":n}
                                                                           reserved now; n stock.low
                                                                           events queued in the outbox
    {"result":"replayed","state":<state>,"lines":...,"expiresAt":ms}      the id was reserved before:
                                                                           the first result, nothing changed
  A reservation that expired or was released holds no stock any more: a retry with its id (a client
  retrying after the TTL, a lease takeover) reserves afresh instead of answering a reservation that
  holds nothing, which would let an order through without stock.
    {"result":"unknown_sku","skus":[sku, ...]}
    {"result":"insufficient","short":[[sku, requested, available], ...]}
]]
local levels, reservation, expiry, outbox, catalog = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]

local previous, previousLines, previousExpiry = unpack(redis.call("HMGET", reservation, "state", "lines", "expiresAt"))
if previous and previous ~= "expired" and previous ~= "released" then
  return cjson.encode({ result = "replayed", state = previous, lines = cjson.decode(previousLines), expiresAt = tonumber(previousExpiry) })
end

local lines = cjson.decode(ARGV[2])
local unknown, short = {}, {}
for _, line in ipairs(lines) do
  local sku, quantity = line[1], tonumber(line[2])
  local available = redis.call("HGET", levels, sku .. ":available")
  local entry = redis.call("HGET", catalog, sku)
  -- No entry: never sellable; a 5th element: archived (a tombstone that outlives older copies).
  if not available or not entry or cjson.decode(entry)[5] then
    unknown[#unknown + 1] = sku
  elseif tonumber(available) < quantity then
    short[#short + 1] = { sku, quantity, tonumber(available) }
  end
end
if #unknown > 0 then return cjson.encode({ result = "unknown_sku", skus = unknown }) end
if #short > 0 then return cjson.encode({ result = "insufficient", short = short }) end

-- The price snapshot the order keeps: [sku, quantity, name, unitPriceCents, currency] per line.
for _, line in ipairs(lines) do
  local name, price, currency = unpack(cjson.decode(redis.call("HGET", catalog, line[1])))
  line[3], line[4], line[5] = name, price, currency
end
local priced = cjson.encode(lines)

local eventIds = cjson.decode(ARGV[4])
local traceparent = ARGV[7] ~= "" and ARGV[7] or nil -- nil: no field at all
local events = 0
for i, line in ipairs(lines) do
  local sku, quantity = line[1], tonumber(line[2])
  local available = redis.call("HINCRBY", levels, sku .. ":available", -quantity)
  redis.call("HINCRBY", levels, sku .. ":reserved", quantity)
  local threshold = tonumber(redis.call("HGET", levels, sku .. ":threshold") or "0")
  -- stock.low once per crossing: the flag is cleared when stock rises above the threshold again.
  if available <= threshold and redis.call("HSETNX", levels, sku .. ":low", "1") == 1 then
    redis.call("RPUSH", outbox, cjson.encode({
      id = eventIds[i], type = "stock.low", version = 1, occurredAt = ARGV[5], requestId = ARGV[6],
      traceparent = traceparent, payload = { sku = sku, available = available, threshold = threshold },
    }))
    events = events + 1
  end
end

local expiresAt = tonumber(ARGV[3])
redis.call("HSET", reservation, "state", "reserved", "lines", priced, "expiresAt", expiresAt)
redis.call("PERSIST", reservation) -- a settled one being reserved afresh had a retention TTL
redis.call("ZADD", expiry, expiresAt, ARGV[1])
return cjson.encode({ result = "reserved", state = "reserved", lines = lines, expiresAt = expiresAt, events = events })
