namespace Maas.Serving.Generation.Templates;

/// <summary>What a piece of template source is.</summary>
internal enum SegmentKind
{
    Text,
    Output,
    Statement,
}
