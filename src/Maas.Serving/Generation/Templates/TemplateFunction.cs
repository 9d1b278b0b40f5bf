namespace Maas.Serving.Generation.Templates;

/// <summary>A callable template global (<c>raise_exception</c>, <c>namespace</c>, <c>range</c>): positional and keyword arguments.</summary>
internal delegate object? TemplateFunction(IReadOnlyList<object?> arguments, IReadOnlyDictionary<string, object?> keywords);
