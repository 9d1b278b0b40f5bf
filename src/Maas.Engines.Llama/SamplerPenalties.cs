using Maas.Core.Engines;

namespace Maas.Engines.Llama;

/// <summary>One sequence's logit adjustments before the grammar mask and the draw: logit bias, repetition penalty
/// over a sliding window of recent tokens, presence and frequency penalties over the generated tokens.</summary>
/// <remarks>The repetition window starts with the prompt's last tokens; <see cref="Record"/> adds each sampled token to
/// both the window and the generated counts.</remarks>
internal sealed class SamplerPenalties
{
    private readonly SamplingOptions _options;
    private readonly Dictionary<int, int> _generated = [];
    private readonly int[] _recent;
    private readonly Dictionary<int, int> _recentCounts = [];
    private int _recentCount;
    private int _recentNext;

    public SamplerPenalties(SamplingOptions options, IReadOnlyList<int>? prompt)
    {
        _options = options;
        _recent = options.RepetitionPenalty != 1f && options.RepetitionWindow > 0 ? new int[options.RepetitionWindow] : [];
        if (prompt is not null && _recent.Length > 0)
        {
            for (var i = Math.Max(0, prompt.Count - _recent.Length); i < prompt.Count; i++)
            {
                Remember(prompt[i]);
            }
        }
    }

    /// <summary>Applies the bias, then the penalties, to <paramref name="logits"/> in place.</summary>
    public void Apply(Span<float> logits)
    {
        ApplyBias(logits);
        ApplyPenalties(logits);
    }

    /// <summary>Counts a sampled token for the penalties of the following draws.</summary>
    public void Record(int token)
    {
        _generated[token] = _generated.GetValueOrDefault(token) + 1;
        Remember(token);
    }

    private void Remember(int token)
    {
        if (_recent.Length == 0)
        {
            return;
        }

        if (_recentCount == _recent.Length)
        {
            var old = _recent[_recentNext];
            if (--_recentCounts[old] == 0)
            {
                _recentCounts.Remove(old);
            }
        }
        else
        {
            _recentCount++;
        }

        _recent[_recentNext] = token;
        _recentNext = (_recentNext + 1) % _recent.Length;
        _recentCounts[token] = _recentCounts.GetValueOrDefault(token) + 1;
    }

    private void ApplyBias(Span<float> logits)
    {
        if (_options.LogitBias is not { Count: > 0 } bias)
        {
            return;
        }

        foreach (var (token, value) in bias)
        {
            if ((uint)token < (uint)logits.Length)
            {
                logits[token] = value <= TokenSampler.BanBias ? float.NegativeInfinity : logits[token] + value;
            }
        }
    }

    private void ApplyPenalties(Span<float> logits)
    {
        var penalty = _options.RepetitionPenalty;
        if (penalty != 1f)
        {
            foreach (var token in _recentCounts.Keys)
            {
                logits[token] = logits[token] > 0 ? logits[token] / penalty : logits[token] * penalty;
            }
        }

        // OpenAI semantics: presence subtracts once for any token generated so far, frequency once per occurrence.
        if (_options.PresencePenalty == 0f && _options.FrequencyPenalty == 0f)
        {
            return;
        }

        foreach (var (token, count) in _generated)
        {
            logits[token] -= _options.PresencePenalty + (_options.FrequencyPenalty * count);
        }
    }
}
