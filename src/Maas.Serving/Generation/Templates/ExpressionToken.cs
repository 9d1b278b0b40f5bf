namespace Maas.Serving.Generation.Templates;

/// <summary>A token of a template expression: a name, a literal or an operator.</summary>
/// <param name="Kind"><c>n</c> name, <c>s</c> string, <c>i</c> integer, <c>f</c> float, <c>o</c> operator, <c>e</c> end.</param>
/// <param name="Text">The name, the literal's value or the operator.</param>
internal readonly record struct ExpressionToken(char Kind, string Text)
{
    public bool Is(string op) => Kind is 'o' or 'n' && Text == op;
}
