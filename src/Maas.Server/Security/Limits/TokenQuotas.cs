using System.Collections.Concurrent;
using Maas.Core.Errors;
using Maas.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Maas.Server.Security.Limits;

/// <summary>Generated-token budgets per caller for <c>/v1/completions</c> and <c>/v1/chat/completions</c>.</summary>
/// <remarks>
/// A budget holds one minute's quota and refills continuously. A request is admitted while the budget is above zero
/// (its size is not known before it runs) and is charged what it actually used, prompt plus completion tokens, when
/// its response ends; a large answer may take the budget below zero, and the caller then waits until it is paid back.
/// </remarks>
internal sealed class TokenQuotas(IOptions<ServerLimitsOptions> options, LimitsClock clock)
{
    private const int SweepAbove = 10_000;
    private readonly ConcurrentDictionary<(string Partition, long Quota), TokenBudget> _budgets = new();
    private long _lastSweep;

    /// <summary>The caller's budget, or null when it has no quota; throws 429 (with its <c>Retry-After</c>) when the budget is spent.</summary>
    public TokenBudget? Admit(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = CallerLimits.Of(context, options.Value);
        if (caller.TokensPerMinute <= 0)
        {
            return null;
        }

        // Many callers (anonymous ones are counted by address): drop the budgets that are full again, at most once a minute.
        if (_budgets.Count > SweepAbove && clock.Time.GetElapsedTime(Interlocked.Read(ref _lastSweep)) > TimeSpan.FromMinutes(1))
        {
            Interlocked.Exchange(ref _lastSweep, clock.Time.GetTimestamp());
            foreach (var (key, idle) in _budgets)
            {
                if (idle.IsFull)
                {
                    _budgets.TryRemove(key, out _);
                }
            }
        }

        var budget = _budgets.GetOrAdd((caller.Partition, caller.TokensPerMinute), static (k, time) => new TokenBudget(k.Quota, time), clock.Time);
        if (budget.TryAdmit(out var retryAfter))
        {
            return budget;
        }

        RetryAfterFeature.Set(context, retryAfter);
        throw new MaasException(MaasErrorKind.TooManyRequests,
            $"Token quota exceeded: this key may use {caller.TokensPerMinute} tokens per minute; retry after {RetryAfterFeature.Seconds(retryAfter)} s.");
    }
}
