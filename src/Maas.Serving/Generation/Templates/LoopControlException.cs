namespace Maas.Serving.Generation.Templates;

/// <summary>Unwinds a for loop's body on <c>{% break %}</c> or <c>{% continue %}</c>.</summary>
internal sealed class LoopControlException(bool isBreak) : Exception(isBreak ? "break" : "continue")
{
    public bool IsBreak { get; } = isBreak;
}
