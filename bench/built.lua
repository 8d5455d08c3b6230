-- wrk script for bench/bench.py's "built" rows: every request carries a query string of its own
-- (which the page ignores), so the page cache (core/pagecache.py) never holds it and each request
-- builds the page from the database: the cost of the first view after a change.
dofile("bench/report.lua")

local sequence = 0
local salt = 0
local separator = "?"

init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  salt = math.random(1, 1000000000)
  if string.find(wrk.path, "?", 1, true) then
    separator = "&"
  end
end

request = function()
  sequence = sequence + 1
  return wrk.format(nil, wrk.path .. separator .. "built=" .. salt .. "-" .. sequence)
end
