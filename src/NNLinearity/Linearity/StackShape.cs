using System.Linq;
using System.Numerics;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Linearity;

/// <summary>
/// A stack's layer sizes, links and parameter layout (per layer W [out, in] row-major then b [out]), shared by the
/// calculi and the region tracer, and its parameters in double.
/// </summary>
/// <remarks>Thread safety: immutable once built; safe to share across threads.</remarks>
internal sealed class StackShape
{
    private StackShape(int[] inputs, int[] outputs, ILinkFunction[] links)
    {
        In = inputs;
        Out = outputs;
        Links = links;
        Offset = new int[inputs.Length + 1];
        for (int l = 0; l < inputs.Length; l++) Offset[l + 1] = Offset[l] + outputs[l] * (inputs[l] + 1);
    }

    public int[] In { get; }

    public int[] Out { get; }

    public ILinkFunction[] Links { get; }

    /// <summary>Offset[l] is where layer l's parameters start; Offset[layers] is the parameter count.</summary>
    public int[] Offset { get; }

    public int Layers => In.Length;

    public int ParameterCount => Offset[^1];

    public static StackShape Of<T>(StackedGlm<T> model)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> =>
        new(model.Layers.Select(l => l.InputCount).ToArray(), model.Layers.Select(l => l.OutputCount).ToArray(), model.Layers.Select(l => l.Link).ToArray());

    /// <summary>The model's parameters in double.</summary>
    public static double[] Parameters<T>(StackedGlm<T> model)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        T[] p = model.GetParameters();
        var theta = new double[p.Length];
        for (int i = 0; i < p.Length; i++) theta[i] = double.CreateTruncating(p[i]);
        return theta;
    }
}
