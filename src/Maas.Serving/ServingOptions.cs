using Maas.Core.Engines;

namespace Maas.Serving;

/// <summary>Limits and defaults for running models; bound from the <c>Maas:Serving</c> configuration section.</summary>
public sealed class ServingOptions
{
    /// <summary>Deployment settings of every model that stores no overrides of its own (<c>Maas:Serving:Defaults:*</c>).</summary>
    public DeploymentSettings Defaults { get; set; } = new();

    /// <summary>Most texts in one embeddings request.</summary>
    public int MaxBatchTexts { get; set; } = 256;

    /// <summary>How long a request waits for its model to finish loading before 503.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Load the default version of every registered model at start-up (each model's own
    /// <see cref="DeploymentSettings.Preload"/> can still say no).</summary>
    public bool PreloadModels { get; set; } = true;

    /// <summary>Token limit of a generation that names none (shortened to what fits the context).</summary>
    public int DefaultMaxTokens { get; set; } = 512;
}
