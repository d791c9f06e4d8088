--[[
  Removes from the head of the inventory outbox the events the relay has just published, and only
  those: it pops while the head is the next element it was given. Another relay that took over (its
  lease ran out meanwhile) may have popped them already; then nothing else is removed.

  KEYS[1] the outbox list

  ARGV[1..n] the published elements, in list order (raw JSON, as read)

  Returns how many elements were popped.
]]
local outbox = KEYS[1]
local popped = 0
for i = 1, #ARGV do
  if redis.call("LINDEX", outbox, 0) ~= ARGV[i] then break end
  redis.call("LPOP", outbox)
  popped = popped + 1
end
return popped
