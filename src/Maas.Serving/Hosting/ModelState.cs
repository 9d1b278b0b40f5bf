namespace Maas.Serving.Hosting;

/// <summary>Lifecycle of a loaded version.</summary>
public enum ModelState
{
    Loading,
    Ready,
    Failed,
    Unloading,

    /// <summary>Unloaded on request (<c>POST /v2/repository/models/{name}/unload</c>): stays unloaded until an explicit
    /// load or an inference request asks for it.</summary>
    Unloaded,
}
