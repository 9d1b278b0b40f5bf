namespace Maas.Serving.Generation.Templates;

/// <summary>Literal text, the inside of <c>{{ }}</c>, or the inside of <c>{% %}</c>.</summary>
internal readonly record struct TemplateSegment(SegmentKind Kind, string Text);
