--[[
  Moves a reservation to its next state and settles the stock, idempotently:
    commit   reserved  -> committed  reserved -= q                 (the stock is sold)
    release  reserved  -> released   reserved -= q, available += q
    expire   reserved  -> expired    as release, only once its expiry has passed (the sweeper)
    return   committed -> returned   available += q                (a committed order was cancelled)
             reserved  -> returned   reserved -= q, available += q (cancelled before its Commit)
  Asking for the state a reservation is already in changes nothing and answers the same. A release
  or a return that finds the reservation expired has nothing left to give back: the same outcome.
  A Commit that finds it expired fails: the order service reserves again (Reserve takes an expired
  reservation afresh) and commits that, or cancels the order when the stock is gone.

  KEYS[1] stock levels hash
  KEYS[2] the reservation's hash
  KEYS[3] expiry index

  ARGV[1] action: commit | release | expire | return
  ARGV[2] reservation id
  ARGV[3] now (ms since the epoch): expire acts only on reservations due by then
  ARGV[4] how long a settled reservation is kept (s), so retries still find it
  ARGV[5] return only: the order's lines, JSON [[sku, quantity], ...], when its reservation was
          committed ("" otherwise): a committed reservation whose record is gone (settled longer
          than ARGV[4] ago) is returned from them, once
  ARGV[6] return only: how long the record of a return of committed stock is kept (s), longer
          than ARGV[4]: a Return retried after ARGV[4] (the order service's database away that
          long) would otherwise find no record and give the order's lines back a second time

  Returns JSON:
    {"result":"ok","state":<state>,"changed":true|false}   moved now (true), or was already there
    {"result":"not_found"}
    {"result":"invalid_state","state":<state>} e.g. commit after release
    {"result":"not_due","state":"reserved"}    expire before the expiry
]]
local levels, reservation, expiry = KEYS[1], KEYS[2], KEYS[3]
local action, id, now, keepSeconds = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])

local target = ({ commit = "committed", release = "released", expire = "expired", ["return"] = "returned" })[action]
local from = ({ commit = { reserved = true }, release = { reserved = true }, expire = { reserved = true },
  ["return"] = { reserved = true, committed = true } })[action]

local state, lines, expiresAt = unpack(redis.call("HMGET", reservation, "state", "lines", "expiresAt"))
if not state and action == "return" and (ARGV[5] or "") ~= "" then
  -- Committed, and its record gone since: the stock the order holds goes back from its lines. The
  -- record this leaves answers a repeated Return the same, so they go back once.
  for _, line in ipairs(cjson.decode(ARGV[5])) do
    local sku, quantity = line[1], tonumber(line[2])
    local available = redis.call("HINCRBY", levels, sku .. ":available", quantity)
    local threshold = tonumber(redis.call("HGET", levels, sku .. ":threshold") or "0")
    if available > threshold then redis.call("HDEL", levels, sku .. ":low") end
  end
  redis.call("HSET", reservation, "state", "returned", "lines", ARGV[5])
  redis.call("EXPIRE", reservation, tonumber(ARGV[6]))
  return cjson.encode({ result = "ok", state = "returned", changed = true })
end
if not state then
  redis.call("ZREM", expiry, id)
  return cjson.encode({ result = "not_found" })
end
if state == target then return cjson.encode({ result = "ok", state = state, changed = false }) end
if (action == "release" or action == "return") and state == "expired" then
  return cjson.encode({ result = "ok", state = state, changed = false })
end
if not from[state] then return cjson.encode({ result = "invalid_state", state = state }) end
if action == "expire" and tonumber(expiresAt) > now then return cjson.encode({ result = "not_due", state = state }) end

for _, line in ipairs(cjson.decode(lines)) do
  local sku, quantity = line[1], tonumber(line[2])
  -- What the reservation still holds leaves `reserved`; what it gives back returns to `available`.
  if state == "reserved" then redis.call("HINCRBY", levels, sku .. ":reserved", -quantity) end
  if action ~= "commit" then
    local available = redis.call("HINCRBY", levels, sku .. ":available", quantity)
    local threshold = tonumber(redis.call("HGET", levels, sku .. ":threshold") or "0")
    if available > threshold then redis.call("HDEL", levels, sku .. ":low") end
  end
end

redis.call("HSET", reservation, "state", target)
redis.call("ZREM", expiry, id)
if action == "return" and state == "committed" then keepSeconds = tonumber(ARGV[6]) end
redis.call("EXPIRE", reservation, keepSeconds)
return cjson.encode({ result = "ok", state = target, changed = true })
