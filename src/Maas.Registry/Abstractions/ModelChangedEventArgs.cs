namespace Maas.Registry.Abstractions;

/// <summary>Names the model that changed.</summary>
public sealed class ModelChangedEventArgs(string model) : EventArgs
{
    public string Model { get; } = model;
}
