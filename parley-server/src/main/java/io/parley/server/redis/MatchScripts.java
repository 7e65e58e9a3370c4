package io.parley.server.redis;

/**
 * The Lua of {@link RedisMatcher}, one script per operation, each atomic in Redis. ARGV[1] is always the key prefix
 * ({@code {prefix}:match:}) and ARGV[2] the user; the keys below it are named in docs/operations.md ("Redis keys").
 * All keys share the deployment's hash tag, so in Redis Cluster they sit in one slot. Times are Redis's own (TIME).
 */
final class MatchScripts {
    private MatchScripts() {}

    private static final String COMMON = """
            local P = ARGV[1]
            local u = ARGV[2]
            local t = redis.call('TIME')
            local now = t[1] * 1000 + math.floor(t[2] / 1000)
            local function fmt(x) return string.format('%.0f', x) end
            local function pairkey(a, b)
              if b < a then a, b = b, a end
              return P .. 'skip:' .. #a .. ':' .. a .. b
            end
            local function pair_of(x)
              local h = redis.call('HMGET', P .. 'pair:' .. x, 'p', 'c', 'a', 'b')
              if not h[1] then return nil end
              return h
            end
            local function online(x, ttl)
              redis.call('ZADD', P .. 'online', fmt(now + ttl), x)
              redis.call('ZREMRANGEBYSCORE', P .. 'online', '-inf', fmt(now))
              redis.call('PEXPIRE', P .. 'online', ttl * 3)
            end
            """;

    /** ARGV: prefix, user, session, lock ttl, takeover (0/1), state ttl. -> {held, previous holder or ''}. */
    static final String LOCK = COMMON + """
            local cur = redis.call('GET', P .. 'lock:' .. u)
            if cur and cur ~= ARGV[3] and ARGV[5] ~= '1' then return {0, cur} end
            redis.call('SET', P .. 'lock:' .. u, ARGV[3], 'PX', ARGV[4])
            online(u, tonumber(ARGV[4]))
            if redis.call('EXISTS', P .. 'pair:' .. u) == 1 then redis.call('PEXPIRE', P .. 'pair:' .. u, ARGV[6]) end
            if cur and cur ~= ARGV[3] then return {1, cur} end
            return {1, ''}
            """;

    /** ARGV: prefix, user, session, lock ttl, state ttl. -> {held} or {1, partner, conv, alias, partnerAlias}. */
    static final String RENEW = COMMON + """
            if redis.call('GET', P .. 'lock:' .. u) ~= ARGV[3] then return {0} end
            redis.call('PEXPIRE', P .. 'lock:' .. u, ARGV[4])
            online(u, tonumber(ARGV[4]))
            if redis.call('EXISTS', P .. 'ticket:' .. u) == 1 then
              redis.call('PEXPIRE', P .. 'ticket:' .. u, ARGV[5])
              redis.call('PEXPIRE', P .. 'queue', ARGV[5])
            end
            local mine = pair_of(u)
            if mine then
              if redis.call('HGET', P .. 'pair:' .. mine[1], 'p') ~= u then
                redis.call('DEL', P .. 'pair:' .. u)
                return {1, mine[1], mine[2], mine[3], mine[4]}
              end
              redis.call('PEXPIRE', P .. 'pair:' .. u, ARGV[5])
            end
            return {1}
            """;

    /** ARGV: prefix, user, session, grace. -> {} or {partner, conv, alias, partnerAlias}. */
    static final String UNLOCK = COMMON + """
            if redis.call('GET', P .. 'lock:' .. u) ~= ARGV[3] then return {} end
            redis.call('DEL', P .. 'lock:' .. u, P .. 'ticket:' .. u)
            redis.call('ZREM', P .. 'online', u)
            redis.call('LREM', P .. 'queue', 0, u)
            local mine = pair_of(u)
            if mine then
              redis.call('PEXPIRE', P .. 'pair:' .. u, ARGV[4])
              return mine
            end
            return {}
            """;

    /**
     * The five steps. ARGV: prefix, user, session, interests (comma-separated), language ('' for none), relaxed
     * (0/1), conversation id, alias, partner alias, state ttl, max scan. -> {'not_locked'}, {'paired', partner, conv,
     * alias, partnerAlias}, {'matched', partner}, {'waiting'}, or {'load_blocks'} when the stored blocks are not in
     * Redis (never loaded, or lost with a restart): nothing was changed, {@link #LOAD_BLOCKS} first.
     */
    static final String JOIN = COMMON + """
            if redis.call('GET', P .. 'lock:' .. u) ~= ARGV[3] then return {'not_locked'} end
            -- (0) no pairing before the stored blocks are here (Redis may have restarted without them)
            if redis.call('EXISTS', P .. 'blocks-loaded') == 0 then return {'load_blocks'} end
            local Q = P .. 'queue'
            local ttl = ARGV[10]
            -- (1) already in a pair: give it back
            local mine = pair_of(u)
            if mine then
              redis.call('LREM', Q, 0, u)
              redis.call('DEL', P .. 'ticket:' .. u)
              return {'paired', mine[1], mine[2], mine[3], mine[4]}
            end
            local myI = {}
            local hasI = false
            for w in string.gmatch(ARGV[4], '[^,]+') do myI[w] = true hasI = true end
            local function compatible(c, ci, cl, cr)
              if redis.call('SISMEMBER', P .. 'blocks:' .. u, c) == 1 then return false end
              if redis.call('SISMEMBER', P .. 'blocks:' .. c, u) == 1 then return false end
              if redis.call('EXISTS', pairkey(u, c)) == 1 then return false end
              if ARGV[6] == '1' or cr == '1' then return true end
              if ARGV[5] ~= '' and cl ~= '' and ARGV[5] ~= cl then return false end
              if not hasI or ci == '' then return true end
              for w in string.gmatch(ci, '[^,]+') do if myI[w] then return true end end
              return false
            end
            -- (2) candidates, oldest first
            local queued = redis.call('LRANGE', Q, 0, tonumber(ARGV[11]) - 1)
            for _, c in ipairs(queued) do
              if c ~= u then
                local ct = redis.call('HMGET', P .. 'ticket:' .. c, 'i', 'l', 'r')
                -- (3) still valid: a live lock, no pair, a ticket
                if not ct[3] or redis.call('EXISTS', P .. 'lock:' .. c) == 0
                    or redis.call('EXISTS', P .. 'pair:' .. c) == 1 then
                  redis.call('LREM', Q, 0, c)
                  redis.call('DEL', P .. 'ticket:' .. c)
                elseif compatible(c, ct[1], ct[2], ct[3]) then
                  -- (4) the pair, for both, in this one step
                  redis.call('LREM', Q, 0, c)
                  redis.call('LREM', Q, 0, u)
                  redis.call('DEL', P .. 'ticket:' .. c, P .. 'ticket:' .. u)
                  redis.call('HSET', P .. 'pair:' .. u, 'p', c, 'c', ARGV[7], 'a', ARGV[8], 'b', ARGV[9])
                  redis.call('HSET', P .. 'pair:' .. c, 'p', u, 'c', ARGV[7], 'a', ARGV[9], 'b', ARGV[8])
                  redis.call('PEXPIRE', P .. 'pair:' .. u, ttl)
                  redis.call('PEXPIRE', P .. 'pair:' .. c, ttl)
                  return {'matched', c}
                end
              end
            end
            -- (5) wait; one already queued keeps its place
            redis.call('HSET', P .. 'ticket:' .. u, 'i', ARGV[4], 'l', ARGV[5], 'r', ARGV[6])
            redis.call('PEXPIRE', P .. 'ticket:' .. u, ttl)
            if not redis.call('LPOS', Q, u) then redis.call('RPUSH', Q, u) end
            redis.call('PEXPIRE', Q, ttl)
            return {'waiting'}
            """;

    /**
     * ARGV: prefix, '' (no user), last chunk (0/1), then (user, blocked) pairs: adds them to the blocks and, with the
     * last chunk, marks the stored blocks as loaded. -> 1.
     */
    static final String LOAD_BLOCKS = """
            local P = ARGV[1]
            for i = 4, #ARGV, 2 do redis.call('SADD', P .. 'blocks:' .. ARGV[i], ARGV[i + 1]) end
            if ARGV[3] == '1' then redis.call('SET', P .. 'blocks-loaded', '1') end
            return 1
            """;

    /** ARGV: prefix, user. -> 1 when the user was queued. */
    static final String LEAVE = COMMON + """
            redis.call('DEL', P .. 'ticket:' .. u)
            return redis.call('LREM', P .. 'queue', 0, u)
            """;

    /**
     * ARGV: prefix, user, skip (0/1), block (0/1), cooldown, only when away (0/1). -> {} or {partner, conv, alias,
     * partnerAlias}.
     */
    static final String END = COMMON + """
            if ARGV[6] == '1' and redis.call('EXISTS', P .. 'lock:' .. u) == 1 then return {} end
            local mine = pair_of(u)
            if not mine then return {} end
            redis.call('DEL', P .. 'pair:' .. u)
            if redis.call('HGET', P .. 'pair:' .. mine[1], 'p') == u then redis.call('DEL', P .. 'pair:' .. mine[1]) end
            if ARGV[3] == '1' then redis.call('SET', pairkey(u, mine[1]), '1', 'PX', ARGV[5]) end
            if ARGV[4] == '1' then redis.call('SADD', P .. 'blocks:' .. u, mine[1]) end
            return mine
            """;

    /** ARGV: prefix, user. -> {} or {partner, conv, alias, partnerAlias}. */
    static final String PAIR = COMMON + """
            local mine = pair_of(u)
            if not mine then return {} end
            return mine
            """;

    /** ARGV: prefix, ''. -> {online, waiting}. */
    static final String COUNTS = COMMON + """
            return {redis.call('ZCOUNT', P .. 'online', fmt(now), '+inf'), redis.call('LLEN', P .. 'queue')}
            """;
}
