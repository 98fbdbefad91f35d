using System;
using System.Linq;
using System.Threading;
using NNLinearity.Kernels;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Linearity;

/// <summary>
/// Derivatives of a stack's linear predictor with respect to its parameters over a batch of rows at once, in double,
/// through the library's matrix products: the forward pass, backpropagation of any output seed (the gradient of
/// sum_r sum_o S[r, o] eta[r, o]) and Hessian-vector products by forward-over-reverse differentiation (Pearlmutter's
/// R-operator) of the same seeded sum, optionally plus a curvature term on eta (for a loss of eta). Each product costs
/// a few matrix products of the batch's size; no p x p matrix is formed.
/// </summary>
/// <remarks>
/// Thread safety: not safe to share; each analysis owns one. Results do not depend on the thread count (the
/// products run on the calling thread).
/// </remarks>
internal sealed class BatchCalculus
{
    private readonly int _layers;
    private readonly int[] _in, _out, _offset;
    private readonly ILinkFunction[] _links;
    private readonly int _m;
    private readonly double[] _x;
    private readonly double[] _theta;
    private readonly double[][] _packedW, _packedV;
    private readonly double[][] _z, _a, _d1, _d2, _rz, _ra, _delta, _rdelta, _s, _tmp;
    private readonly double[][] _zeroBias;
    private bool _forwardValid;
    private bool _derivativesValid;
    private bool _secondValid;

    /// <summary>A calculus over the given rows (x [rows, inputs] row-major) at the given parameters.</summary>
    public BatchCalculus(StackShape shape, double[] x, int rows, ReadOnlySpan<double> theta)
    {
        _layers = shape.Layers;
        _in = shape.In;
        _out = shape.Out;
        _links = shape.Links;
        _offset = shape.Offset;
        _m = rows;
        _x = x;
        ParameterCount = shape.ParameterCount;
        _theta = theta.ToArray();
        _packedW = new double[_layers][];
        _packedV = new double[_layers][];
        _zeroBias = new double[_layers][];
        for (int l = 0; l < _layers; l++)
        {
            _packedW[l] = new double[Gemm.PackedLength<double>(_out[l], _in[l])];
            _packedV[l] = new double[_packedW[l].Length];
            _zeroBias[l] = new double[_out[l]];
        }

        _z = Buffers(_out);
        _a = Buffers(_out);
        _d1 = Buffers(_out);
        _d2 = Buffers(_out);
        _rz = Buffers(_out);
        _ra = Buffers(_out);
        _delta = Buffers(_out);
        _rdelta = Buffers(_out);
        _s = Buffers(_in);
        _tmp = Buffers(_out.Zip(_in, Math.Max).ToArray());
        Pack(_theta, _packedW);
    }

    /// <summary>The calculus of a model over rows of x (in double), at the model's parameters.</summary>
    public static BatchCalculus Of<T>(StackedGlm<T> model, double[] x, int rows, ReadOnlySpan<double> theta)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T> =>
        new(StackShape.Of(model), x, rows, theta);

    public int ParameterCount { get; }

    public int Rows => _m;

    public int Outputs => _out[_layers - 1];

    public int LayerCount => _layers;

    public int Offset(int layer) => _offset[layer];

    public int Inputs(int layer) => _in[layer];

    public int Units(int layer) => _out[layer];

    public ReadOnlySpan<double> Parameters => _theta;

    /// <summary>Moves the point at which derivatives are taken.</summary>
    public void SetParameters(ReadOnlySpan<double> theta)
    {
        theta.CopyTo(_theta);
        Pack(_theta, _packedW);
        _forwardValid = false;
    }

    private double[][] Buffers(int[] widths)
    {
        var b = new double[widths.Length][];
        for (int i = 0; i < widths.Length; i++) b[i] = new double[_m * widths[i]];
        return b;
    }

    private void Pack(ReadOnlySpan<double> theta, double[][] packed)
    {
        for (int l = 0; l < _layers; l++) Gemm.PackTransposed(theta.Slice(_offset[l], _out[l] * _in[l]), _out[l], _in[l], packed[l]);
    }

    private ReadOnlySpan<double> W(int l) => _theta.AsSpan(_offset[l], _out[l] * _in[l]);

    private ReadOnlySpan<double> Input(int l) => l == 0 ? _x.AsSpan(0, _m * _in[0]) : _a[l - 1];

    /// <summary>eta [rows, outputs] at the current parameters, with f'(z) of the hidden layers for backpropagation (a view valid until the next call that moves them).</summary>
    public ReadOnlySpan<double> Forward() => Forward(derivatives: true);

    private ReadOnlySpan<double> Forward(bool derivatives)
    {
        if (_forwardValid && (_derivativesValid || !derivatives)) return _z[_layers - 1];
        for (int l = 0; l < _layers; l++)
        {
            int n = _out[l];
            Gemm.Forward(Input(l), _m, _in[l], _packedW[l], _theta.AsSpan(_offset[l] + n * _in[l], n), n, _z[l], 1);
            if (l == _layers - 1) break; // the output layer's link does not enter eta
            if (derivatives) _links[l].Inverse(_z[l], _a[l], _d1[l]);
            else _links[l].Inverse(_z[l], _a[l]);
        }

        _forwardValid = true;
        _derivativesValid = derivatives;
        _secondValid = false;
        return _z[_layers - 1];
    }

    /// <summary>eta [rows, outputs] at the given parameters (a copy); the calculus stays at them.</summary>
    public double[] Eta(ReadOnlySpan<double> theta)
    {
        SetParameters(theta);
        return Forward(derivatives: false).ToArray();
    }

    /// <summary>
    /// Backpropagates the seed S [rows, outputs]: afterwards <paramref name="gradient"/> (when not empty) holds
    /// d/dtheta sum S eta, and the seed's deltas are kept for <see cref="HessianVector"/>.
    /// </summary>
    public void Backward(ReadOnlySpan<double> seed, Span<double> gradient)
    {
        Forward();
        int last = _layers - 1;
        seed[..(_m * _out[last])].CopyTo(_delta[last]);
        for (int l = last; l > 0; l--)
        {
            // S_l = delta_l W_l [rows, in_l]; delta_{l-1} = f'(z_{l-1}) S_l.
            Gemm.BackwardInput<double>(_delta[l], _m, _out[l], W(l), _in[l], _s[l], 1);
            double[] s = _s[l], d1 = _d1[l - 1], delta = _delta[l - 1];
            for (int i = 0; i < delta.Length; i++) delta[i] = d1[i] * s[i];
        }

        if (gradient.IsEmpty) return;
        gradient.Clear();
        for (int l = 0; l < _layers; l++)
        {
            int n = _out[l];
            Gemm.AccumulateWeightGradient<double>(_delta[l], _m, n, Input(l), _in[l], gradient.Slice(_offset[l], n * _in[l]), 1);
            Gemm.AccumulateColumnSums<double>(_delta[l], _m, n, gradient.Slice(_offset[l] + n * _in[l], n));
        }
    }

    /// <summary>
    /// H v for the seeded sum of <see cref="Backward"/> (which must have run at the current parameters):
    /// d^2/dtheta^2 (sum S eta) v, plus J^T C J v when <paramref name="curvature"/> is given, C being each row's
    /// [outputs, outputs] curvature of a loss in eta (row-major, rows after rows).
    /// </summary>
    public void HessianVector(ReadOnlySpan<double> v, Span<double> hv, ReadOnlySpan<double> curvature = default)
    {
        if (!_secondValid)
        {
            for (int l = 0; l < _layers - 1; l++)
            {
                double[] z = _z[l], d2 = _d2[l];
                ILinkFunction link = _links[l];
                for (int i = 0; i < z.Length; i++) d2[i] = link.InverseSecondDerivative(z[i]);
            }

            _secondValid = true;
        }

        // Tangent forward pass: Rz_l = input_l V_l^T + v_b + Ra_{l-1} W_l^T, Ra_l = f'(z_l) Rz_l.
        for (int l = 0; l < _layers; l++)
        {
            int n = _out[l], k = _in[l];
            Gemm.PackTransposed(v.Slice(_offset[l], n * k), n, k, _packedV[l]);
            Gemm.Forward(Input(l), _m, k, _packedV[l], v.Slice(_offset[l] + n * k, n), n, _rz[l], 1);
            if (l > 0)
            {
                Span<double> t = _tmp[l].AsSpan(0, _m * n);
                Gemm.Forward<double>(_ra[l - 1], _m, k, _packedW[l], _zeroBias[l], n, t, 1);
                double[] rz = _rz[l];
                for (int i = 0; i < t.Length; i++) rz[i] += t[i];
            }

            if (l < _layers - 1)
            {
                double[] rz = _rz[l], ra = _ra[l], d1 = _d1[l];
                for (int i = 0; i < rz.Length; i++) ra[i] = d1[i] * rz[i];
            }
        }

        // The seed's tangent: C Rz at the output (zero for eta itself).
        int last = _layers - 1, kOut = _out[last];
        double[] rdl = _rdelta[last];
        if (curvature.IsEmpty)
        {
            Array.Clear(rdl);
        }
        else
        {
            double[] rzl = _rz[last];
            for (int r = 0; r < _m; r++)
            {
                for (int o = 0; o < kOut; o++)
                {
                    double s = 0;
                    for (int q = 0; q < kOut; q++) s += curvature[(r * kOut + o) * kOut + q] * rzl[r * kOut + q];
                    rdl[r * kOut + o] = s;
                }
            }
        }

        // Tangent backward pass.
        hv.Clear();
        for (int l = last; l >= 0; l--)
        {
            int n = _out[l], k = _in[l];
            Span<double> hw = hv.Slice(_offset[l], n * k);
            Gemm.AccumulateWeightGradient<double>(_rdelta[l], _m, n, Input(l), k, hw, 1);
            if (l > 0) Gemm.AccumulateWeightGradient<double>(_delta[l], _m, n, _ra[l - 1], k, hw, 1);
            Gemm.AccumulateColumnSums<double>(_rdelta[l], _m, n, hv.Slice(_offset[l] + n * k, n));
            if (l == 0) break;

            // R(S_l) = delta_l V_l + Rdelta_l W_l; Rdelta_{l-1} = f''(z) Rz S_l + f'(z) R(S_l).
            Span<double> rs = _tmp[l - 1].AsSpan(0, _m * k);
            Gemm.BackwardInput(_delta[l], _m, n, v.Slice(_offset[l], n * k), k, rs, 1);
            Span<double> t2 = _rdelta[l - 1];
            Gemm.BackwardInput<double>(_rdelta[l], _m, n, W(l), k, t2, 1);
            double[] s = _s[l], d1 = _d1[l - 1], d2 = _d2[l - 1], rz = _rz[l - 1];
            for (int i = 0; i < t2.Length; i++) t2[i] = d2[i] * rz[i] * s[i] + d1[i] * (rs[i] + t2[i]);
        }
    }

    /// <summary>The seeded Hessian as a dense P x P matrix (row-major), one product per column, for small P.</summary>
    public double[] DenseHessian(ReadOnlySpan<double> curvature, CancellationToken cancellation)
    {
        int p = ParameterCount;
        var h = new double[p * p];
        var v = new double[p];
        var hv = new double[p];
        for (int j = 0; j < p; j++)
        {
            cancellation.ThrowIfCancellationRequested();
            v[j] = 1;
            HessianVector(v, hv, curvature);
            v[j] = 0;
            for (int i = 0; i < p; i++) h[i * p + j] = hv[i];
        }

        // Symmetric in exact arithmetic; the two triangles differ by rounding.
        for (int i = 0; i < p; i++)
        {
            for (int j = i + 1; j < p; j++) h[i * p + j] = h[j * p + i] = 0.5 * (h[i * p + j] + h[j * p + i]);
        }

        return h;
    }
}
