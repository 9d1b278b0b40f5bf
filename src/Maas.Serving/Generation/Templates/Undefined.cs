namespace Maas.Serving.Generation.Templates;

/// <summary>Jinja's undefined value: renders as nothing, is false, and <c>is defined</c> says no.</summary>
internal sealed class Undefined
{
    public static readonly Undefined Value = new();

    private Undefined()
    {
    }

    public override string ToString() => string.Empty;
}
