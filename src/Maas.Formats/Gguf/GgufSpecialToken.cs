namespace Maas.Formats.Gguf;

/// <summary>A special token a GGUF tokenizer names, with its id and text.</summary>
/// <param name="Role"><c>bos</c>, <c>eos</c>, <c>eot</c>, <c>padding</c> or <c>unknown</c>.</param>
/// <param name="Id">The token id as the file states it.</param>
/// <param name="Text">The token's text from <c>tokenizer.ggml.tokens</c>; null when the id is outside the vocabulary.</param>
public sealed record GgufSpecialToken(string Role, long Id, string? Text);
