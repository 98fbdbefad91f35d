using System;
using System.Linq;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Linearity;

/// <summary>
/// Exact first and second derivatives of a stack's linear predictor with respect to its parameters, for one input row,
/// in double: the gradient by backpropagation and Hessian-vector products by forward-over-reverse differentiation
/// (Pearlmutter's R-operator), so the Hessian is exact to rounding, with no finite differences.
/// </summary>
internal sealed class ParameterCalculus
{
    private readonly int _layers;
    private readonly int[] _in, _out, _offset;
    private readonly ILinkFunction[] _links;
    private double[] _theta;
    private readonly double[][] _z, _a, _d1, _d2, _rz, _ra, _delta, _rdelta;

    public ParameterCalculus(StackedGlm<double> model, ReadOnlySpan<double> theta)
        : this(StackShape.Of(model), theta)
    {
    }

    /// <summary>The calculus of a stack of any element type, in double from its parameters.</summary>
    public static ParameterCalculus Of<T>(StackedGlm<T> model)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        return new ParameterCalculus(StackShape.Of(model), StackShape.Parameters(model));
    }

    private ParameterCalculus(StackShape shape, ReadOnlySpan<double> theta)
    {
        _layers = shape.Layers;
        _in = shape.In;
        _out = shape.Out;
        _offset = shape.Offset;
        _links = shape.Links;

        _theta = theta.ToArray();
        ParameterCount = _offset[_layers];
        _z = Buffers(_out);
        _a = Buffers(_out);
        _d1 = Buffers(_out);
        _d2 = Buffers(_out);
        _rz = Buffers(_out);
        _ra = Buffers(_out);
        _delta = Buffers(_out);
        _rdelta = Buffers(_out);
    }

    public int ParameterCount { get; }

    /// <summary>Moves the point at which derivatives are taken.</summary>
    public void SetParameters(ReadOnlySpan<double> theta) => _theta = theta.ToArray();

    /// <summary>eta of every output at x for the given parameters (a copy).</summary>
    public double[] Eta(ReadOnlySpan<double> theta, ReadOnlySpan<double> x)
    {
        _theta = theta.ToArray();
        return Forward(x).ToArray();
    }

    /// <summary>The pre-activation of layer l at the last forward point.</summary>
    public ReadOnlySpan<double> PreActivation(int layer) => _z[layer];

    public int Outputs => _out[_layers - 1];

    public int LayerCount => _layers;

    public int Offset(int layer) => _offset[layer];

    public int Inputs(int layer) => _in[layer];

    public int Units(int layer) => _out[layer];

    private static double[][] Buffers(int[] sizes)
    {
        var b = new double[sizes.Length][];
        for (int i = 0; i < sizes.Length; i++) b[i] = new double[sizes[i]];
        return b;
    }

    private double W(int l, int o, int i) => _theta[_offset[l] + o * _in[l] + i];

    private double B(int l, int o) => _theta[_offset[l] + _out[l] * _in[l] + o];

    /// <summary>Forward pass; returns the output layer's eta (a view valid until the next call).</summary>
    public ReadOnlySpan<double> Forward(ReadOnlySpan<double> x)
    {
        for (int l = 0; l < _layers; l++)
        {
            ReadOnlySpan<double> input = l == 0 ? x : _a[l - 1];
            for (int o = 0; o < _out[l]; o++)
            {
                double s = B(l, o);
                for (int i = 0; i < _in[l]; i++) s += W(l, o, i) * input[i];
                _z[l][o] = s;
                _a[l][o] = _links[l].Inverse(s, out _d1[l][o]);
                _d2[l][o] = _links[l].InverseSecondDerivative(s);
            }
        }

        return _z[_layers - 1];
    }

    /// <summary>d eta_output / d theta at the last forward point.</summary>
    public void Gradient(ReadOnlySpan<double> x, int output, Span<double> gradient)
    {
        gradient.Clear();
        int last = _layers - 1;
        Array.Clear(_delta[last]);
        _delta[last][output] = 1;
        for (int l = last; l >= 0; l--)
        {
            ReadOnlySpan<double> input = l == 0 ? x : _a[l - 1];
            int off = _offset[l];
            for (int o = 0; o < _out[l]; o++)
            {
                double d = _delta[l][o];
                for (int i = 0; i < _in[l]; i++) gradient[off + o * _in[l] + i] = d * input[i];
                gradient[off + _out[l] * _in[l] + o] = d;
            }

            if (l == 0) break;
            for (int i = 0; i < _in[l]; i++)
            {
                double s = 0;
                for (int o = 0; o < _out[l]; o++) s += W(l, o, i) * _delta[l][o];
                _delta[l - 1][i] = _d1[l - 1][i] * s;
            }
        }
    }

    /// <summary>H v: the Hessian of eta_output in theta times v, at the last forward point (after <see cref="Gradient"/>).</summary>
    public void HessianVector(ReadOnlySpan<double> x, int output, ReadOnlySpan<double> v, Span<double> hv)
    {
        // Tangent forward pass: Rz = V_W a + W Ra + V_b, Ra = f' Rz.
        for (int l = 0; l < _layers; l++)
        {
            ReadOnlySpan<double> input = l == 0 ? x : _a[l - 1];
            int off = _offset[l];
            for (int o = 0; o < _out[l]; o++)
            {
                double s = v[off + _out[l] * _in[l] + o];
                for (int i = 0; i < _in[l]; i++)
                {
                    s += v[off + o * _in[l] + i] * input[i];
                    if (l > 0) s += W(l, o, i) * _ra[l - 1][i];
                }

                _rz[l][o] = s;
                _ra[l][o] = _d1[l][o] * s;
            }
        }

        // Tangent backward pass.
        hv.Clear();
        int last = _layers - 1;
        Array.Clear(_delta[last]);
        _delta[last][output] = 1;
        Array.Clear(_rdelta[last]);
        for (int l = last; l >= 0; l--)
        {
            ReadOnlySpan<double> input = l == 0 ? x : _a[l - 1];
            int off = _offset[l];
            for (int o = 0; o < _out[l]; o++)
            {
                double d = _delta[l][o], rd = _rdelta[l][o];
                for (int i = 0; i < _in[l]; i++)
                {
                    double ra = l == 0 ? 0 : _ra[l - 1][i];
                    hv[off + o * _in[l] + i] = rd * input[i] + d * ra;
                }

                hv[off + _out[l] * _in[l] + o] = rd;
            }

            if (l == 0) break;
            for (int i = 0; i < _in[l]; i++)
            {
                double s = 0, rs = 0;
                for (int o = 0; o < _out[l]; o++)
                {
                    s += W(l, o, i) * _delta[l][o];
                    rs += v[off + o * _in[l] + i] * _delta[l][o] + W(l, o, i) * _rdelta[l][o];
                }

                _delta[l - 1][i] = _d1[l - 1][i] * s;
                _rdelta[l - 1][i] = _d2[l - 1][i] * _rz[l - 1][i] * s + _d1[l - 1][i] * rs;
            }
        }
    }

    /// <summary>The full Hessian of eta_output in theta (P x P, row-major) at x, one Hessian-vector product per column.</summary>
    public double[] Hessian(ReadOnlySpan<double> x, int output)
    {
        int p = ParameterCount;
        var h = new double[p * p];
        var v = new double[p];
        var hv = new double[p];
        Forward(x);
        for (int j = 0; j < p; j++)
        {
            v[j] = 1;
            HessianVector(x, output, v, hv);
            v[j] = 0;
            for (int i = 0; i < p; i++) h[i * p + j] = hv[i];
        }

        return h;
    }
}
