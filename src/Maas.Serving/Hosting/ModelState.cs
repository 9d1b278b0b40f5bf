namespace Maas.Serving.Hosting;

/// <summary>Lifecycle of a loaded version.</summary>
public enum ModelState
{
    Loading,
    Ready,
    Failed,
    Unloading,
}
