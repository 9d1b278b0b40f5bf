namespace Maas.Cli.Output;

/// <summary>One column of a <see cref="FittedTable"/>: its header, its cells (one per row) and how it gives way when the
/// terminal is narrow.</summary>
/// <remarks>
/// A fixed column (the default) always has its natural width, the longest of its header and cells: numbers, dates,
/// states. A flexible column shrinks, its cells cut with an ellipsis, but not below <see cref="MinWidth"/>; a column with
/// a <see cref="DropRank"/> is left out, highest rank first, when the flexible columns cannot all get their minimum.
/// </remarks>
internal sealed record FitColumn(string Header, IReadOnlyList<string> Cells)
{
    /// <summary>Whether the column shrinks (with an ellipsis) to fit; otherwise it keeps its natural width.</summary>
    public bool Flexible { get; init; }

    /// <summary>The narrowest a flexible column gets before a column is dropped for it (never more than its natural width).
    /// <see cref="int.MaxValue"/> keeps the column whole unless nothing else can give.</summary>
    public int MinWidth { get; init; }

    /// <summary>The most a flexible column takes, in percent of the width the flexible columns share, before the last
    /// flexible column takes the rest.</summary>
    public int SharePercent { get; init; } = 100;

    /// <summary>0: always shown. Otherwise the column may be dropped to make room, the highest rank first.</summary>
    public int DropRank { get; init; }

    public bool RightAligned { get; init; }

    /// <summary>The width the column needs to show its header and every cell whole.</summary>
    public int NaturalWidth => Math.Max(Header.Length, Cells.Count == 0 ? 0 : Cells.Max(c => c.Length));

    /// <summary>The narrowest it gets while a column can still be dropped.</summary>
    public int EffectiveMinWidth => Math.Min(MinWidth, NaturalWidth);
}
