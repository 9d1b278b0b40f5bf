using Maas.Formats.Onnx.Proto;

namespace Maas.Optimization.Graph;

/// <summary>An editable view of a model's main graph: lookups (initializers, constants, producers, consumers, value
/// types), unique names, and node edits that keep the node list topologically ordered.</summary>
/// <remarks>
/// Lookups describe the graph as it was when the view was made (plus what was added through it); edits are queued
/// and applied by <see cref="Commit"/>, which rebuilds the node list and drops initializers nothing uses any more.
/// Replacing a node in place with nodes that read only its inputs (or values made earlier) and write its outputs
/// keeps the order valid; so does inserting a node before the first consumer of what it reads. Nested graphs
/// (If/Loop/Scan bodies) are not rewritten, but names they read from the outer scope count as uses.
/// </remarks>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphInputs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _graphOutputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TypeProto> _types = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeProto, List<NodeProto>> _before = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<NodeProto, List<NodeProto>> _after = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<NodeProto, List<NodeProto>> _replacements = new(ReferenceEqualityComparer.Instance);

    public OnnxGraph(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Graph = model.Graph ?? throw new ArgumentException("The model has no graph.", nameof(model));
        foreach (var tensor in Graph.Initializer)
        {
            _initializers[tensor.Name] = tensor;
            _names.Add(tensor.Name);
            var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = tensor.DataType } };
            _types[tensor.Name] = type;
        }

        foreach (var info in Graph.ValueInfo.Concat(Graph.Input).Concat(Graph.Output))
        {
            _names.Add(info.Name);
            if (info.Type is not null)
            {
                _types[info.Name] = info.Type;
            }
        }

        _graphInputs.UnionWith(Graph.Input.Select(i => i.Name));
        _graphOutputs.UnionWith(Graph.Output.Select(o => o.Name));
        foreach (var node in Graph.Node)
        {
            _names.Add(node.Name);
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                _producers[output] = node;
                _names.Add(output);
            }

            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                Consumers(input, create: true).Add(node);
            }
        }
    }

    public ModelProto Model { get; }

    public GraphProto Graph { get; }

    /// <summary>The imported version of <paramref name="domain"/> (empty or <c>ai.onnx</c>: the default domain); 0 when
    /// not imported.</summary>
    public long OpsetVersion(string domain = "") => OnnxOpsets.Version(Model, domain);

    public TensorProto? Initializer(string name) => _initializers.GetValueOrDefault(name);

    /// <summary>A value that cannot change between runs: an initializer that is not also a graph input a caller could
    /// override (IR 4 and later), or the output of a <c>Constant</c> node with a tensor <c>value</c>.</summary>
    public bool TryGetConstant(string name, out TensorProto tensor)
    {
        if (_initializers.TryGetValue(name, out var initializer) && (Model.IrVersion < 4 || !_graphInputs.Contains(name)))
        {
            tensor = initializer;
            return true;
        }

        if (_producers.TryGetValue(name, out var node) && node.OpType == "Constant" && IsDefaultDomain(node)
            && node.Attribute.FirstOrDefault(a => a.Name == "value")?.T is { } value)
        {
            tensor = value;
            return true;
        }

        tensor = null!;
        return false;
    }

    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    public IReadOnlyList<NodeProto> Consumers(string value) => _consumers.TryGetValue(value, out var list) ? list : [];

    public bool IsGraphOutput(string value) => _graphOutputs.Contains(value);

    public bool IsGraphInput(string value) => _graphInputs.Contains(value) && !_initializers.ContainsKey(value);

    /// <summary>The declared type of a value (graph input/output, value_info, initializer); null when not declared.</summary>
    public TypeProto? Type(string value) => _types.GetValueOrDefault(value);

    /// <summary>The declared tensor element type (<see cref="TensorProto.Types.DataType"/> number), 0 when unknown.</summary>
    public int ElementType(string value) => _types.TryGetValue(value, out var type) && type.TensorType is { } tensor ? tensor.ElemType : 0;

    /// <summary>A name no value, node or initializer of the graph uses yet, based on <paramref name="hint"/>.</summary>
    public string UniqueName(string hint)
    {
        ArgumentException.ThrowIfNullOrEmpty(hint);
        var name = hint;
        for (var i = 1; !_names.Add(name); i++)
        {
            name = $"{hint}_{i}";
        }

        return name;
    }

    /// <summary>Adds an initializer (its name must come from <see cref="UniqueName"/> or be otherwise unused).</summary>
    public void AddInitializer(TensorProto tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        _names.Add(tensor.Name);
        _initializers[tensor.Name] = tensor;
        Graph.Initializer.Add(tensor);
    }

    /// <summary>Queues replacing <paramref name="node"/> with <paramref name="replacement"/> (in that order, at its place).</summary>
    public void Replace(NodeProto node, params IEnumerable<NodeProto> replacement)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (_replacements.ContainsKey(node))
        {
            throw new InvalidOperationException($"Node '{node.Name}' is already replaced.");
        }

        _replacements[node] = [.. replacement];
    }

    /// <summary>Queues inserting <paramref name="node"/> just before <paramref name="anchor"/> (before its replacement, if any).</summary>
    public void InsertBefore(NodeProto anchor, NodeProto node)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(node);
        if (!_before.TryGetValue(anchor, out var list))
        {
            _before[anchor] = list = [];
        }

        list.Add(node);
    }

    /// <summary>Queues inserting <paramref name="node"/> just after <paramref name="anchor"/> (after its replacement, if
    /// any, and after nodes queued after it before).</summary>
    public void InsertAfter(NodeProto anchor, NodeProto node)
    {
        ArgumentNullException.ThrowIfNull(anchor);
        ArgumentNullException.ThrowIfNull(node);
        if (!_after.TryGetValue(anchor, out var list))
        {
            _after[anchor] = list = [];
        }

        list.Add(node);
    }

    /// <summary>A new node of <paramref name="opType"/> with a unique name (<paramref name="domain"/> empty: the default domain).</summary>
    public NodeProto NewNode(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs, string nameHint, string domain = "")
    {
        var node = new NodeProto { OpType = opType, Name = UniqueName(nameHint) };
        if (domain.Length > 0)
        {
            node.Domain = domain;
        }

        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    /// <summary>Applies the queued edits, then removes initializers (and their IR-3 graph inputs) that nothing reads.</summary>
    public void Commit()
    {
        var nodes = new List<NodeProto>(Graph.Node.Count + _before.Count + _after.Count + _replacements.Count);
        foreach (var node in Graph.Node)
        {
            if (_before.TryGetValue(node, out var before))
            {
                nodes.AddRange(before);
            }

            if (_replacements.TryGetValue(node, out var replacement))
            {
                nodes.AddRange(replacement);
            }
            else
            {
                nodes.Add(node);
            }

            if (_after.TryGetValue(node, out var after))
            {
                nodes.AddRange(after);
            }
        }

        Graph.Node.Clear();
        Graph.Node.AddRange(nodes);
        _before.Clear();
        _after.Clear();
        _replacements.Clear();
        RemoveUnusedInitializers();
    }

    public static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";

    private void RemoveUnusedInitializers()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        CollectUses(Graph, used);
        used.UnionWith(Graph.Output.Select(o => o.Name));
        var unused = Graph.Initializer.Where(t => !used.Contains(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        if (unused.Count == 0)
        {
            return;
        }

        var keep = Graph.Initializer.Where(t => !unused.Contains(t.Name)).ToList();
        Graph.Initializer.Clear();
        Graph.Initializer.AddRange(keep);
        var inputs = Graph.Input.Where(i => !unused.Contains(i.Name)).ToList();
        Graph.Input.Clear();
        Graph.Input.AddRange(inputs);
        foreach (var name in unused)
        {
            _initializers.Remove(name);
        }
    }

    private static void CollectUses(GraphProto graph, HashSet<string> used)
    {
        foreach (var node in graph.Node)
        {
            used.UnionWith(node.Input.Where(i => i.Length > 0));
            foreach (var attribute in node.Attribute)
            {
                if (attribute.G is not null)
                {
                    CollectUses(attribute.G, used);
                }

                foreach (var sub in attribute.Graphs)
                {
                    CollectUses(sub, used);
                }
            }
        }
    }

    private List<NodeProto> Consumers(string value, bool create)
    {
        if (!_consumers.TryGetValue(value, out var list) && create)
        {
            _consumers[value] = list = [];
        }

        return list!;
    }
}
