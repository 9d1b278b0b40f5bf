namespace Maas.Serving.Generation.Templates;

/// <summary>Variables visible at a point of rendering; a for loop body gets a child scope.</summary>
internal sealed class TemplateScope(TemplateScope? parent)
{
    private readonly Dictionary<string, object?> _variables = new(StringComparer.Ordinal);

    public object? Get(string name)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return Undefined.Value;
    }

    public void Set(string name, object? value) => _variables[name] = value;

    public TemplateScope? Parent { get; } = parent;
}
