namespace Maas.Core.Models;

/// <summary>Manifest properties of a LoRA adapter version: the registry writes them at push time, the llama engine
/// and the OpenAI model list read them.</summary>
/// <remarks>An adapter version carries its base model's file among its own files (content-addressed, so stored once),
/// the way an Ollama model with an <c>ADAPTER</c> lists the base layer: the version is loadable on its own, and the
/// engine shares the base weights with every other version that uses the same file.</remarks>
public static class AdapterProperties
{
    /// <summary><c>lora</c> on adapter versions; absent on models.</summary>
    public const string Type = "adapter.type";

    /// <summary>The logical name, among the version's files, of the base model's GGUF file.</summary>
    public const string BaseFile = "adapter.base_file";

    /// <summary>The base model's name.</summary>
    public const string BaseModel = "adapter.base_model";

    /// <summary>The base version's number.</summary>
    public const string BaseVersion = "adapter.base_version";

    /// <summary>The adapter's alpha as stored in the file.</summary>
    public const string Alpha = "adapter.alpha";

    /// <summary>The adapter's rank (the largest over its tensors).</summary>
    public const string Rank = "adapter.rank";

    /// <summary>The logical file name a base model's GGUF gets inside an adapter version.</summary>
    public const string BaseFileName = "base.gguf";

    /// <summary>Whether <paramref name="manifest"/> describes an adapter version.</summary>
    public static bool IsAdapter(ModelManifest manifest) =>
        manifest is not null && manifest.Properties.ContainsKey(BaseFile);
}
