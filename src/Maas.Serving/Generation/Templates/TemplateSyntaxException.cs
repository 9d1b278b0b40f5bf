namespace Maas.Serving.Generation.Templates;

/// <summary>A chat template uses syntax this interpreter does not understand (the caller falls back to ChatML).</summary>
internal sealed class TemplateSyntaxException(string message) : Exception(message);
