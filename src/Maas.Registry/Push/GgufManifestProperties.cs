using System.Globalization;
using Maas.Formats.Gguf;

namespace Maas.Registry.Push;

/// <summary>The manifest properties a GGUF header contributes: what <c>maas models show</c> and the llama engine want to know without reopening the file.</summary>
/// <remarks>As with ONNX, a property the caller gave wins over the detected one.</remarks>
internal static class GgufManifestProperties
{
    public static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string> given, GgufModelFacts facts)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string key, object? value)
        {
            if (value is not null)
            {
                properties[key] = Convert.ToString(value, CultureInfo.InvariantCulture)!;
            }
        }

        Add("architecture", facts.Architecture);
        Add("name", facts.Name);
        Add("parameter_count", facts.ParameterCount);
        Add("quantization", facts.Quantization);
        Add("file_type", facts.FileType);
        Add("context_length", facts.ContextLength);
        Add("embedding_length", facts.EmbeddingLength);
        Add("block_count", facts.BlockCount);
        Add("head_count", facts.HeadCount);
        Add("tokenizer", facts.TokenizerModel);
        Add("vocab_size", facts.VocabularySize);
        Add("chat_template", facts.ChatTemplate);
        foreach (var token in facts.SpecialTokens)
        {
            Add($"{token.Role}_token_id", token.Id);
            Add($"{token.Role}_token", token.Text);
        }

        foreach (var (key, value) in given)
        {
            properties[key] = value;
        }

        return properties;
    }
}
