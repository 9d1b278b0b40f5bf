namespace Maas.Serving.Batching;

/// <summary>Where a queued request is; moves only forward (Queued → Running → Done, or Queued → Done).</summary>
internal static class BatchItemState
{
    public const int Queued = 0;
    public const int Running = 1;
    public const int Done = 2;
}
