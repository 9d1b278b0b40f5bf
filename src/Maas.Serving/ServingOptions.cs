using Maas.Core.Engines;
using Maas.Serving.Processing.Images;

namespace Maas.Serving;

/// <summary>Limits and defaults for running models; bound from the <c>Maas:Serving</c> configuration section.</summary>
public sealed class ServingOptions
{
    /// <summary>Deployment settings of every model that stores no overrides of its own (<c>Maas:Serving:Defaults:*</c>).</summary>
    public DeploymentSettings Defaults { get; set; } = new();

    /// <summary>Limits on images sent to image models (<c>Maas:Serving:Images:*</c>).</summary>
    public ImageOptions Images { get; set; } = new();

    /// <summary>Most texts in one embeddings request.</summary>
    public int MaxBatchTexts { get; set; } = 256;

    /// <summary>How long a request waits for its model to finish loading before 503; also the longest one load may take
    /// (a load still running then is cancelled and counts as failed).</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Load the default version of every registered model at start-up (each model's own
    /// <see cref="DeploymentSettings.Preload"/> can still say no).</summary>
    public bool PreloadModels { get; set; } = true;

    /// <summary>Token limit of a generation that names none (shortened to what fits the context).</summary>
    public int DefaultMaxTokens { get; set; } = 512;

    /// <summary>Bytes that loaded versions may hold together (engines' estimates); 0 = unlimited; unset = three quarters
    /// of the memory available to the process.</summary>
    /// <remarks>Before and after each load, least recently used versions that no alias pins and that have nothing in
    /// flight are unloaded to make room; a version that still does not fit fails to load with the reason.</remarks>
    public long? MemoryBudget { get; set; }

    /// <summary>Wait before the first retry of a failed load; doubles with each further failure up to
    /// <see cref="LoadRetryMaxDelay"/>. A registry change to the model retries at once.</summary>
    public TimeSpan LoadRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between retries of a failed load.</summary>
    public TimeSpan LoadRetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often loaded versions are checked against their keep-alive.</summary>
    public TimeSpan IdleCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The budget in bytes after defaults: 0 = unlimited.</summary>
    public long EffectiveMemoryBudget() => MemoryBudget ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 * 3;

    /// <summary>Wait before retrying after <paramref name="failures"/> failed loads in a row.</summary>
    public TimeSpan RetryDelay(int failures)
    {
        var delay = LoadRetryDelay;
        for (var i = 1; i < failures && delay < LoadRetryMaxDelay; i++)
        {
            delay += delay;
        }

        return delay < LoadRetryMaxDelay ? delay : LoadRetryMaxDelay;
    }
}
