using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Numerics;
using NNLinearity.Families;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Linearity;

/// <summary>One side of a hidden unit's kink: the half-space normal . x + offset >= 0 that holds on a region.</summary>
/// <param name="Layer">Hidden layer (0-based).</param>
/// <param name="Unit">Unit of that layer (0-based).</param>
/// <param name="Normal">The half-space's normal in input space: the unit's pre-activation gradient, signed so that the region is on its non-negative side.</param>
/// <param name="Offset">The half-space's offset.</param>
/// <param name="Active">Whether the unit is on its positive (identity) side on the region.</param>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed record RegionInequality(int Layer, int Unit, IReadOnlyList<double> Normal, double Offset, bool Active)
{
    /// <summary>normal . x + offset: non-negative inside the half-space.</summary>
    /// <param name="x">An input row.</param>
    /// <returns>The slack.</returns>
    public double Slack(ReadOnlySpan<double> x)
    {
        double s = Offset;
        for (int i = 0; i < x.Length; i++) s += Normal[i] * x[i];
        return s;
    }
}

/// <summary>
/// The activation region of a piecewise-linear network around a point: the polytope of inputs with the same activation
/// pattern, as one linear inequality per kinked hidden unit, and the exact GLM the network is on it.
/// </summary>
/// <remarks>Thread safety: immutable once returned; safe to share across threads.</remarks>
public sealed class ActivationRegion
{
    internal ActivationRegion(double[] point, IReadOnlyList<RegionInequality> inequalities, LocalGlm glm)
    {
        Point = point;
        Inequalities = inequalities;
        LocalGlm = glm;
    }

    /// <summary>The point the region was taken at.</summary>
    public IReadOnlyList<double> Point { get; }

    /// <summary>
    /// The region's inequalities, one per kinked hidden unit (ReLU and leaky-ReLU units; identity units have no kink),
    /// in layer and unit order. A unit whose pre-activation is constant on the region has a zero normal.
    /// </summary>
    public IReadOnlyList<RegionInequality> Inequalities { get; }

    /// <summary>The exact GLM of the network on the region (eta = c + A x, with the output's link and family).</summary>
    public LocalGlm LocalGlm { get; }

    /// <summary>Whether x satisfies every inequality, to a slack of -<paramref name="tolerance"/> (0: exactly).</summary>
    /// <param name="x">An input row.</param>
    /// <param name="tolerance">Allowed violation of each inequality.</param>
    /// <returns>True inside the closed region.</returns>
    public bool Contains(ReadOnlySpan<double> x, double tolerance = 0)
    {
        CheckRow(x, LocalGlm.Inputs, nameof(x));
        foreach (RegionInequality q in Inequalities)
        {
            if (q.Slack(x) < -tolerance) return false;
        }

        return true;
    }

    /// <summary>
    /// The Euclidean distance from <see cref="Point"/> to the region's boundary: the smallest slack over the
    /// inequalities divided by its normal's length (positive infinity when no inequality bounds the region).
    /// </summary>
    /// <returns>The radius of the largest ball around the point inside the region.</returns>
    public double DistanceToBoundary()
    {
        double best = double.PositiveInfinity;
        double[] x = Point.ToArray();
        foreach (RegionInequality q in Inequalities)
        {
            double norm = Math.Sqrt(q.Normal.Sum(v => v * v));
            if (norm > 0) best = Math.Min(best, q.Slack(x) / norm);
        }

        return best;
    }

    /// <summary>
    /// How far from <see cref="Point"/> along <paramref name="direction"/> the region extends: the smallest t >= 0
    /// at which Point + t direction meets a boundary (positive infinity when it never does).
    /// </summary>
    /// <param name="direction">A direction in input space (not necessarily of unit length).</param>
    /// <returns>The step t to the nearest boundary along the direction.</returns>
    public double DistanceAlong(ReadOnlySpan<double> direction)
    {
        CheckRow(direction, LocalGlm.Inputs, nameof(direction));
        double best = double.PositiveInfinity;
        double[] x = Point.ToArray();
        foreach (RegionInequality q in Inequalities)
        {
            double g = 0;
            for (int i = 0; i < direction.Length; i++) g += q.Normal[i] * direction[i];
            if (g < 0) best = Math.Min(best, Math.Max(0, q.Slack(x)) / -g);
        }

        return best;
    }

    internal static void CheckRow(ReadOnlySpan<double> x, int inputs, string name)
    {
        if (x.Length != inputs) throw new ArgumentException($"{name} has {x.Length} values; the model has {inputs} inputs.", name);
        for (int j = 0; j < x.Length; j++)
        {
            if (!double.IsFinite(x[j])) throw new ArgumentException($"{name}[{j}] is {x[j].ToString(CultureInfo.InvariantCulture)}; a finite value is expected.", name);
        }
    }
}

/// <summary>A kink met on a segment: hidden unit (Layer, Unit) changes side at parameter T.</summary>
/// <param name="T">Where on the segment, in [0, 1] (x0 + T (x1 - x0)).</param>
/// <param name="Layer">Hidden layer (0-based).</param>
/// <param name="Unit">Unit of that layer.</param>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly record struct SegmentKink(double T, int Layer, int Unit);

/// <summary>One piece of a segment: the parameters [Start, End] on which one activation pattern, hence one GLM, holds.</summary>
/// <remarks>Thread safety: immutable (its local GLM is built once, on first use, safely); safe to share across threads.</remarks>
public sealed class SegmentPiece
{
    private readonly Lazy<LocalGlm> _glm;

    internal SegmentPiece(double start, double end, bool[][] pattern, Func<bool[][], LocalGlm> build)
    {
        Start = start;
        End = end;
        ActivationPattern = pattern;
        _glm = new Lazy<LocalGlm>(() => build(pattern), System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The piece's first parameter.</summary>
    public double Start { get; }

    /// <summary>The piece's last parameter.</summary>
    public double End { get; }

    /// <summary>Per hidden layer, per unit: on its positive side on this piece.</summary>
    public IReadOnlyList<IReadOnlyList<bool>> ActivationPattern { get; }

    /// <summary>The exact GLM of the network on this piece's region.</summary>
    public LocalGlm LocalGlm => _glm.Value;
}

/// <summary>
/// The path of a segment x0 + t (x1 - x0), t in [0, 1], through the activation regions of a piecewise-linear network:
/// every kink in order and the exact GLM of each piece between them.
/// </summary>
/// <remarks>Thread safety: immutable; safe to share across threads.</remarks>
public sealed class SegmentPath
{
    private readonly double[] _x0, _x1;

    internal SegmentPath(double[] x0, double[] x1, IReadOnlyList<SegmentPiece> pieces, IReadOnlyList<SegmentKink> kinks)
    {
        _x0 = x0;
        _x1 = x1;
        Pieces = pieces;
        Kinks = kinks;
    }

    /// <summary>The pieces in order, covering [0, 1].</summary>
    public IReadOnlyList<SegmentPiece> Pieces { get; }

    /// <summary>Every unit crossing, in order of T.</summary>
    public IReadOnlyList<SegmentKink> Kinks { get; }

    /// <summary>Distinct activation patterns among the pieces.</summary>
    public int DistinctRegions => Pieces.Select(p => Key(p.ActivationPattern)).Distinct(StringComparer.Ordinal).Count();

    /// <summary>The point at parameter t.</summary>
    /// <param name="t">A parameter in [0, 1].</param>
    /// <returns>x0 + t (x1 - x0).</returns>
    public double[] PointAt(double t)
    {
        var x = new double[_x0.Length];
        for (int i = 0; i < x.Length; i++) x[i] = _x0[i] + t * (_x1[i] - _x0[i]);
        return x;
    }

    /// <summary>The piece holding parameter t (the first of two at a kink).</summary>
    /// <param name="t">A parameter in [0, 1].</param>
    /// <returns>The piece.</returns>
    public SegmentPiece PieceAt(double t)
    {
        if (!(t >= 0 && t <= 1)) throw new ArgumentOutOfRangeException(nameof(t), t, $"t is {t.ToString(CultureInfo.InvariantCulture)}; it must be in [0, 1].");
        foreach (SegmentPiece p in Pieces)
        {
            if (t <= p.End) return p;
        }

        return Pieces[^1];
    }

    /// <summary>eta at parameter t from its piece's local GLM (equal to the network's).</summary>
    /// <param name="t">A parameter in [0, 1].</param>
    /// <returns>eta per output.</returns>
    public double[] Eta(double t) => PieceAt(t).LocalGlm.Eta(PointAt(t));

    internal static string Key(IReadOnlyList<IReadOnlyList<bool>> pattern) => string.Join('|', pattern.Select(l => string.Concat(l.Select(b => b ? '1' : '0'))));
}

/// <summary>How many activation regions the rows of a data set fall in.</summary>
/// <param name="Rows">Rows counted.</param>
/// <param name="DistinctRegions">Distinct activation patterns among them.</param>
/// <param name="LargestRegionRows">Rows in the most populated region.</param>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly record struct RegionCensus(int Rows, int DistinctRegions, int LargestRegionRows);

public static partial class LinearityAnalysis
{
    /// <summary>
    /// The local GLM of a piecewise-linear network at x: the exact eta = c + A x valid on x's activation region.
    /// </summary>
    /// <param name="model">A model whose hidden links are all piecewise linear (identity, ReLU, leaky ReLU).</param>
    /// <param name="x">An input row.</param>
    /// <returns>The local GLM and x's activation pattern.</returns>
    /// <exception cref="InvalidOperationException">A hidden link is not piecewise linear.</exception>
    public static LocalGlm LocalGlmAt(StackedGlm<double> model, ReadOnlySpan<double> x) => LocalGlmAt<double>(model, x);

    /// <summary>The local GLM of a piecewise-linear network of any element type at x (in double from its parameters).</summary>
    /// <typeparam name="T">The model's element type.</typeparam>
    /// <param name="model">A model whose hidden links are all identity, ReLU or leaky ReLU.</param>
    /// <param name="x">An input row.</param>
    /// <returns>The local GLM and x's activation pattern.</returns>
    /// <exception cref="InvalidOperationException">A hidden link is not piecewise linear.</exception>
    public static LocalGlm LocalGlmAt<T>(StackedGlm<T> model, ReadOnlySpan<double> x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        PiecewiseNetwork net = Piecewise(model, x, nameof(x));
        return net.Glm(net.PatternAt(x));
    }

    /// <summary>
    /// The activation region of a piecewise-linear network around x: one linear inequality per kinked hidden unit,
    /// the distances to its boundary, and the exact local GLM on it.
    /// </summary>
    /// <typeparam name="T">The model's element type.</typeparam>
    /// <param name="model">A model whose hidden links are all identity, ReLU or leaky ReLU.</param>
    /// <param name="x">An input row.</param>
    /// <returns>The region.</returns>
    /// <exception cref="InvalidOperationException">A hidden link is not piecewise linear.</exception>
    public static ActivationRegion RegionAt<T>(StackedGlm<T> model, ReadOnlySpan<double> x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        PiecewiseNetwork net = Piecewise(model, x, nameof(x));
        bool[][] pattern = net.PatternAt(x);
        (LocalGlm glm, List<RegionInequality> inequalities) = net.Region(pattern);
        return new ActivationRegion(x.ToArray(), inequalities, glm);
    }

    /// <summary>
    /// The regions a segment from x0 to x1 crosses: every kink in order, and the exact GLM on each piece (the network's
    /// prediction on the segment equals the pieces').
    /// </summary>
    /// <typeparam name="T">The model's element type.</typeparam>
    /// <param name="model">A model whose hidden links are all identity, ReLU or leaky ReLU.</param>
    /// <param name="x0">The segment's start.</param>
    /// <param name="x1">The segment's end.</param>
    /// <returns>The path.</returns>
    /// <exception cref="InvalidOperationException">A hidden link is not piecewise linear.</exception>
    public static SegmentPath Segment<T>(StackedGlm<T> model, ReadOnlySpan<double> x0, ReadOnlySpan<double> x1)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        PiecewiseNetwork net = Piecewise(model, x0, nameof(x0));
        ActivationRegion.CheckRow(x1, model.InputCount, nameof(x1));
        return net.Walk(x0.ToArray(), x1.ToArray());
    }

    /// <summary>How many distinct activation regions the rows of x fall in.</summary>
    /// <typeparam name="T">The model's element type.</typeparam>
    /// <param name="model">A model whose hidden links are all identity, ReLU or leaky ReLU.</param>
    /// <param name="x">Inputs [rows, inputs].</param>
    /// <returns>The census.</returns>
    /// <exception cref="InvalidOperationException">A hidden link is not piecewise linear.</exception>
    public static RegionCensus CountRegions<T>(StackedGlm<T> model, T[,] x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        if (x.GetLength(1) != model.InputCount) throw new ArgumentException($"x has {x.GetLength(1)} columns; the model has {model.InputCount} inputs.", nameof(x));
        CheckPiecewise(model);
        using UsageGuard.ReadScope reading = model.EnterRead();
        model.CheckX(Matrices.AsSpan(x), x.GetLength(0), nameof(x));
        int rows = x.GetLength(0), inputs = model.InputCount;
        var xd = new double[rows * inputs];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < inputs; j++) xd[r * inputs + j] = double.CreateTruncating(x[r, j]);
        }

        PiecewiseNetwork net = PiecewiseNetwork.Of(model);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string key in net.PatternKeys(xd, rows))
        {
            counts[key] = counts.TryGetValue(key, out int c) ? c + 1 : 1;
        }

        return new RegionCensus(rows, counts.Count, counts.Count == 0 ? 0 : counts.Values.Max());
    }

    private static void CheckPiecewise<T>(StackedGlm<T> model)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int l = 0; l < model.Layers.Count - 1; l++)
        {
            ILinkFunction link = model.Layers[l].Link;
            if (link is not (IdentityLink or ReluLink or LeakyReluLink))
            {
                throw new InvalidOperationException(link.IsPiecewiseLinear
                    ? $"Hidden layer {l + 1} has the {link.Name} link, piecewise linear but not one whose kink the library knows (identity, relu, leaky_relu): its regions cannot be traced."
                    : $"Hidden layer {l + 1} has the {link.Name} link, which is not piecewise linear: the model has no local GLM.");
            }
        }
    }

    private static PiecewiseNetwork Piecewise<T>(StackedGlm<T> model, ReadOnlySpan<double> x, string name)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ActivationRegion.CheckRow(x, model.InputCount, name);
        CheckPiecewise(model);
        using UsageGuard.ReadScope reading = model.EnterRead();
        return PiecewiseNetwork.Of(model);
    }

    /// <summary>The local GLM inside <see cref="Analyze{T}"/>, whose read scope is already held.</summary>
    private static LocalGlm? LocalGlmAtUnguarded<T>(StackedGlm<T> model, double[] theta, ReadOnlySpan<double> x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        for (int l = 0; l < model.Layers.Count - 1; l++)
        {
            if (model.Layers[l].Link is not (IdentityLink or ReluLink or LeakyReluLink)) return null;
        }

        var net = new PiecewiseNetwork(StackShape.Of(model), theta, model.Family);
        return net.Glm(net.PatternAt(x));
    }

    /// <summary>
    /// A snapshot of a network whose hidden links are identity, ReLU or leaky ReLU (all kinked at 0, f(z) = slope z on
    /// each side), in double: activation patterns, affine maps per pattern, and the walk along a segment.
    /// </summary>
    private sealed class PiecewiseNetwork
    {
        private readonly int _layers;
        private readonly int[] _in, _out, _offset;
        private readonly ILinkFunction[] _links;
        private readonly double[] _theta;
        private readonly GlmFamily? _family;
        private readonly double[] _slopeOn, _slopeOff;
        private readonly bool[] _kinked;

        public PiecewiseNetwork(StackShape shape, double[] theta, GlmFamily? family)
        {
            _layers = shape.Layers;
            _in = shape.In;
            _out = shape.Out;
            _links = shape.Links;
            _theta = theta;
            _family = family;
            _offset = shape.Offset;
            _slopeOn = new double[_layers];
            _slopeOff = new double[_layers];
            _kinked = new bool[_layers];
            for (int l = 0; l < _layers - 1; l++)
            {
                _slopeOn[l] = _links[l].InverseDerivative(1.0);
                _slopeOff[l] = _links[l].InverseDerivative(-1.0);
                _kinked[l] = _slopeOn[l] != _slopeOff[l];
            }
        }

        public static PiecewiseNetwork Of<T>(StackedGlm<T> model)
            where T : unmanaged, IBinaryFloatingPointIeee754<T>
        {
            return new PiecewiseNetwork(StackShape.Of(model), StackShape.Parameters(model), model.Family);
        }

        private double W(int l, int o, int i) => _theta[_offset[l] + o * _in[l] + i];

        private double B(int l, int o) => _theta[_offset[l] + _out[l] * _in[l] + o];

        private double Slope(int l, bool on) => on ? _slopeOn[l] : _slopeOff[l];

        /// <summary>The pattern at x: on when the pre-activation is positive (a unit exactly at its kink counts as off; identity units are always on).</summary>
        public bool[][] PatternAt(ReadOnlySpan<double> x)
        {
            var pattern = new bool[_layers - 1][];
            double[] value = x.ToArray();
            for (int l = 0; l < _layers - 1; l++)
            {
                pattern[l] = new bool[_out[l]];
                var next = new double[_out[l]];
                for (int o = 0; o < _out[l]; o++)
                {
                    double z = B(l, o);
                    for (int i = 0; i < _in[l]; i++) z += W(l, o, i) * value[i];
                    pattern[l][o] = z > 0 || !_kinked[l]; // an identity unit is always on its identity side
                    next[o] = Slope(l, pattern[l][o]) * z;
                }

                value = next;
            }

            return pattern;
        }

        public IEnumerable<string> PatternKeys(double[] x, int rows)
        {
            for (int r = 0; r < rows; r++) yield return SegmentPath.Key(PatternAt(x.AsSpan(r * _in[0], _in[0])));
        }

        /// <summary>The affine pre-activations of every layer under a pattern: A_l [units, inputs] and c_l.</summary>
        private (double[][] A, double[][] C) Affine(bool[][] pattern)
        {
            int inputs = _in[0];
            double[] a = new double[inputs * inputs];
            for (int i = 0; i < inputs; i++) a[i * inputs + i] = 1;
            double[] c = new double[inputs];
            var allA = new double[_layers][];
            var allC = new double[_layers][];
            for (int l = 0; l < _layers; l++)
            {
                int n = _out[l], width = _in[l];
                var na = new double[n * inputs];
                var nc = new double[n];
                for (int o = 0; o < n; o++)
                {
                    double s = B(l, o);
                    Span<double> row = na.AsSpan(o * inputs, inputs);
                    for (int r = 0; r < width; r++)
                    {
                        double wr = W(l, o, r);
                        if (wr == 0) continue;
                        s += wr * c[r];
                        Spectra.Axpy(wr, a.AsSpan(r * inputs, inputs), row);
                    }

                    nc[o] = s;
                }

                allA[l] = na;
                allC[l] = nc;
                if (l == _layers - 1) break;
                // The layer's output on the region: slope z, the slope of the unit's side.
                a = new double[n * inputs];
                c = new double[n];
                for (int o = 0; o < n; o++)
                {
                    double slope = Slope(l, pattern[l][o]);
                    c[o] = slope * nc[o];
                    for (int i = 0; i < inputs; i++) a[o * inputs + i] = slope * na[o * inputs + i];
                }
            }

            return (allA, allC);
        }

        public LocalGlm Glm(bool[][] pattern)
        {
            (double[][] a, double[][] c) = Affine(pattern);
            return new LocalGlm(_in[0], _out[_layers - 1], a[^1], c[^1], pattern, _links[^1], _family);
        }

        public (LocalGlm Glm, List<RegionInequality> Inequalities) Region(bool[][] pattern)
        {
            (double[][] a, double[][] c) = Affine(pattern);
            int inputs = _in[0];
            var list = new List<RegionInequality>();
            for (int l = 0; l < _layers - 1; l++)
            {
                if (!_kinked[l]) continue;
                for (int o = 0; o < _out[l]; o++)
                {
                    bool on = pattern[l][o];
                    double sign = on ? 1 : -1;
                    var normal = new double[inputs];
                    for (int i = 0; i < inputs; i++) normal[i] = sign * a[l][o * inputs + i];
                    list.Add(new RegionInequality(l, o, normal, sign * c[l][o], on));
                }
            }

            return (new LocalGlm(_in[0], _out[_layers - 1], a[^1], c[^1], pattern, _links[^1], _family), list);
        }

        /// <summary>Pre-activations along the segment under a pattern: z(t) = alpha + beta t per hidden layer and unit.</summary>
        private (double[][] Alpha, double[][] Beta) AlongSegment(bool[][] pattern, double[] x0, double[] d, int layers)
        {
            var alpha = new double[layers][];
            var beta = new double[layers][];
            double[] va = x0, vb = d;
            for (int l = 0; l < layers; l++)
            {
                int n = _out[l];
                alpha[l] = new double[n];
                beta[l] = new double[n];
                var na = new double[n];
                var nb = new double[n];
                for (int o = 0; o < n; o++)
                {
                    double sa = B(l, o), sb = 0;
                    for (int i = 0; i < _in[l]; i++)
                    {
                        double w = W(l, o, i);
                        sa += w * va[i];
                        sb += w * vb[i];
                    }

                    alpha[l][o] = sa;
                    beta[l][o] = sb;
                    double slope = Slope(l, pattern[l][o]);
                    na[o] = slope * sa;
                    nb[o] = slope * sb;
                }

                va = na;
                vb = nb;
            }

            return (alpha, beta);
        }

        public SegmentPath Walk(double[] x0, double[] x1)
        {
            int hidden = _layers - 1;
            var d = new double[x0.Length];
            for (int i = 0; i < d.Length; i++) d[i] = x1[i] - x0[i];
            var pieces = new List<SegmentPiece>();
            var kinks = new List<SegmentKink>();

            // The pattern just after t = 0: a unit exactly at its kink takes the side the segment moves into.
            bool[][] pattern = new bool[hidden][];
            for (int l = 0; l < hidden; l++)
            {
                pattern[l] = new bool[_out[l]];
                (double[][] al, double[][] be) = AlongSegment(pattern, x0, d, l + 1);
                for (int o = 0; o < _out[l]; o++) pattern[l][o] = !_kinked[l] || al[l][o] > 0 || (al[l][o] == 0 && be[l][o] > 0);
            }

            double t = 0;
            const int MaxPieces = 1_000_000;
            while (true)
            {
                (double[][] alpha, double[][] beta) = AlongSegment(pattern, x0, d, hidden);
                double exit = 1;
                var crossing = new List<(int Layer, int Unit, double T)>();
                for (int l = 0; l < hidden; l++)
                {
                    if (!_kinked[l]) continue;
                    for (int o = 0; o < _out[l]; o++)
                    {
                        double b = beta[l][o];
                        bool leaving = pattern[l][o] ? b < 0 : b > 0;
                        if (!leaving) continue;
                        double tu = -alpha[l][o] / b;
                        if (tu > t && tu <= 1) crossing.Add((l, o, tu));
                    }
                }

                foreach ((_, _, double tu) in crossing) exit = Math.Min(exit, tu);
                pieces.Add(new SegmentPiece(t, exit, Clone(pattern), Glm));
                if (exit >= 1 || crossing.Count == 0) break;
                if (pieces.Count >= MaxPieces)
                {
                    throw new InvalidOperationException($"The segment crosses more than {MaxPieces} regions; split it.");
                }

                // Units meeting their kink at the exit (within rounding of it) change side; the side they take is the
                // direction they move in, given the new sides of the layers before them.
                double slack = 1e-12 * Math.Max(1, Math.Abs(exit));
                var flips = crossing.Where(c => c.T <= exit + slack).OrderBy(c => c.Layer).ThenBy(c => c.Unit).ToList();
                bool[][] next = Clone(pattern);
                foreach (var f in flips)
                {
                    kinks.Add(new SegmentKink(f.T, f.Layer, f.Unit));
                }

                for (int l = 0; l < hidden; l++)
                {
                    if (!flips.Any(f => f.Layer == l)) continue;
                    (double[][] al, double[][] be) = AlongSegment(next, x0, d, l + 1);
                    foreach (var f in flips.Where(f => f.Layer == l)) next[l][f.Unit] = be[l][f.Unit] > 0;
                }

                pattern = next;
                t = exit;
            }

            kinks.Sort((p, q) => p.T.CompareTo(q.T));
            return new SegmentPath(x0, x1, pieces, kinks);
        }

        private static bool[][] Clone(bool[][] p) => p.Select(l => (bool[])l.Clone()).ToArray();
    }
}
