using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Linearity;

/// <summary>
/// Uncertainty of a trained network by the delta method: the Fisher information of its parameters at the fitted
/// values, I = sum_i w_i (dmu/deta)^2 / V(mu) g_i g_i^T / phi with g_i = d eta_i / d theta (exact, by
/// backpropagation), and the standard error of a prediction sqrt(g^T I^+ g), times |dmu/deta| on the response scale.
/// <para>
/// A network is not identifiable: permuting hidden units, flipping the signs around an odd activation, or rescaling
/// around a positively homogeneous one (ReLU) gives the same function, so I can be singular. Its pseudo-inverse is
/// taken on the identifiable subspace: eigenvalues above <see cref="RankTolerance"/> = lambda_max x parameters x
/// machine epsilon (numpy's matrix_rank rule) are kept, the rest (directions the data cannot see) are dropped.
/// Predictions are functions of the identifiable directions only, so their standard errors are well defined; the
/// parameters' own standard errors are not reported for that reason. For a one-layer network the information is
/// X^T W X / phi and the standard errors are the GLM's <c>predict(se.fit = TRUE)</c>. The approximation is local
/// (first order at the fitted parameters): on deeper networks it is as good as the network's log-likelihood is
/// quadratic over the sampling spread of its parameters, which the tests check against a parametric bootstrap.
/// </para>
/// </summary>
/// <remarks>Thread safety: immutable after construction; safe to share across threads.</remarks>
public sealed class NetworkUncertainty
{
    private readonly ParameterCalculus _calculus;
    private readonly Matrix<double> _covariance;
    private readonly ILinkFunction _outputLink;
    private readonly object _gate = new();

    private NetworkUncertainty(ParameterCalculus calculus, Matrix<double> covariance, ILinkFunction outputLink, int rank, double tolerance, double dispersion, double[] eigenvalues, int inputs)
    {
        _calculus = calculus;
        _covariance = covariance;
        _outputLink = outputLink;
        Rank = rank;
        RankTolerance = tolerance;
        Dispersion = dispersion;
        Eigenvalues = eigenvalues;
        InputCount = inputs;
    }

    /// <summary>The rank of the information matrix: the number of identifiable parameter directions.</summary>
    public int Rank { get; }

    /// <summary>Eigenvalues at or below this are treated as 0 (lambda_max x parameters x machine epsilon).</summary>
    public double RankTolerance { get; }

    /// <summary>phi: 1 for families with a known dispersion, else the Pearson statistic / (rows - rank), as summary.glm.</summary>
    public double Dispersion { get; }

    /// <summary>The information matrix's eigenvalues, ascending.</summary>
    public System.Collections.Generic.IReadOnlyList<double> Eigenvalues { get; }

    /// <summary>The network's input count.</summary>
    public int InputCount { get; }

    /// <summary>
    /// Computes the information of a trained network with a single-family output (any number of outputs, each a GLM
    /// of its family) on the rows it was trained on.
    /// </summary>
    /// <typeparam name="T">The network's element type; the computation is in double.</typeparam>
    /// <param name="model">The trained network.</param>
    /// <param name="x">Inputs, row-major [rows, inputs].</param>
    /// <param name="y">Responses, row-major [rows, outputs].</param>
    /// <param name="rows">Rows.</param>
    /// <param name="weights">Prior weights (all 1 when empty).</param>
    /// <param name="offset">Offsets on eta, row-major [rows, outputs] (none when empty).</param>
    /// <returns>The uncertainty, ready to give standard errors of predictions.</returns>
    /// <exception cref="ArgumentException">A size does not match, a value is not finite, the network is multinomial, or a mean is invalid for the family.</exception>
    public static NetworkUncertainty Compute<T>(StackedGlm<T> model, ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows, ReadOnlySpan<double> weights = default, ReadOnlySpan<T> offset = default)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        GlmFamily family = model.Family ?? throw new ArgumentException("The network's output is multinomial (softmax): its delta-method errors need the multinomial information, which this does not compute; use a network with a GLM family on its output.", nameof(model));
        int p = model.InputCount, k = model.OutputCount;
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be at least 1.");
        if (x.Length != (long)rows * p) throw new ArgumentException($"x has {x.Length} values; {rows} rows x {p} inputs = {(long)rows * p}.", nameof(x));
        if (y.Length != (long)rows * k) throw new ArgumentException($"y has {y.Length} values; {rows} rows x {k} outputs = {(long)rows * k}.", nameof(y));
        if (!weights.IsEmpty && weights.Length != rows) throw new ArgumentException($"weights has {weights.Length} values; there are {rows} rows.", nameof(weights));
        if (!offset.IsEmpty && offset.Length != y.Length) throw new ArgumentException($"offset has {offset.Length} values; it needs one per response ({y.Length}).", nameof(offset));
        ParameterCalculus calc = ParameterCalculus.Of(model);
        ILinkFunction link = model.Layers[^1].Link;
        int np = calc.ParameterCount;
        var info = Matrix<double>.Build.Dense(np, np);
        double[] g = new double[np], xi = new double[p];
        double pearson = 0;
        int used = 0;
        for (int i = 0; i < rows; i++)
        {
            double w = weights.IsEmpty ? 1 : weights[i];
            if (!(w >= 0) || double.IsInfinity(w)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"weights[{i}] is {w}; prior weights must be finite and non-negative."), nameof(weights));
            for (int j = 0; j < p; j++)
            {
                xi[j] = double.CreateTruncating(x[i * p + j]);
                if (!double.IsFinite(xi[j])) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"x[{i * p + j}] (row {i}, input {j}) is {xi[j]}; inputs must be finite."), nameof(x));
            }

            if (w == 0) continue;
            used++;
            ReadOnlySpan<double> eta = calc.Forward(xi);
            double[] etaK = eta.ToArray();
            for (int o = 0; o < k; o++)
            {
                double e = etaK[o] + (offset.IsEmpty ? 0 : double.CreateTruncating(offset[i * k + o]));
                double mu = link.Inverse(e, out double dmu);
                double v = family.Variance(mu);
                double yo = double.CreateTruncating(y[i * k + o]);
                if (!(v > 0) || !double.IsFinite(v)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Row {i}, output {o}: the fitted mean {mu} has variance {v} under the {family.Name} family; the information is undefined there."), nameof(model));
                pearson += w * (yo - mu) * (yo - mu) / v;
                double a = w * dmu * dmu / v;
                if (a == 0) continue;
                calc.Gradient(xi, o, g);
                for (int r = 0; r < np; r++)
                {
                    double ar = a * g[r];
                    if (ar == 0) continue;
                    for (int c = 0; c <= r; c++) info[r, c] += ar * g[c];
                }
            }
        }

        for (int r = 0; r < np; r++)
        {
            for (int c = 0; c < r; c++) info[c, r] = info[r, c];
        }

        var evd = info.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        double[] lambda = evd.EigenValues.Real().ToArray();
        double max = 0;
        foreach (double l in lambda) max = Math.Max(max, l);
        double tol = max * np * 2.220446049250313e-16;
        int rank = 0;
        foreach (double l in lambda) if (l > tol) rank++;
        double dispersion = 1;
        if (family.EstimatesDispersion)
        {
            int df = used * k - rank;
            if (df <= 0) throw new ArgumentException($"The dispersion of the {family.Name} family is estimated from the rows beyond the {rank} identifiable parameters; there are {used * k} responses.", nameof(y));
            dispersion = pearson / df;
        }

        // I^+ phi: the information above is per unit dispersion.
        Matrix<double> vecs = evd.EigenVectors;
        var cov = Matrix<double>.Build.Dense(np, np);
        for (int e = 0; e < np; e++)
        {
            if (!(lambda[e] > tol)) continue;
            Vector<double> u = vecs.Column(e);
            cov += u.OuterProduct(u) * (dispersion / lambda[e]);
        }

        Array.Sort(lambda);
        return new NetworkUncertainty(calc, cov, link, rank, tol, dispersion, lambda, p);
    }

    /// <summary>
    /// The uncertainty of a GLM-nested network's network part f given its GLM part: the information of f's
    /// parameters with the GLM's linear predictor (and the offset) as the offset, so that predictions of
    /// eta = offset + X b + f(x) get the standard errors that come from f (the GLM part is held fixed, as
    /// <see cref="NestedGlm{T}.Fit"/> holds it while it trains f).
    /// </summary>
    /// <typeparam name="T">The network's element type.</typeparam>
    /// <param name="nested">The trained nested model.</param>
    /// <param name="x">Predictors [rows, columns] as the GLM's.</param>
    /// <param name="y">Responses.</param>
    /// <param name="weights">Prior weights (null: all 1).</param>
    /// <param name="offset">Offsets (null: none).</param>
    /// <returns>The uncertainty of f; predict with the GLM's linear predictor plus the offset as the offset.</returns>
    /// <exception cref="ArgumentException">A size does not match or a value is not finite.</exception>
    public static NetworkUncertainty Compute<T>(NestedGlm<T> nested, double[,] x, IReadOnlyList<double> y, IReadOnlyList<double>? weights = null, IReadOnlyList<double>? offset = null)
        where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(nested);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int n = x.GetLength(0), p = x.GetLength(1);
        if (y.Count != n) throw new ArgumentException($"y has {y.Count} values; x has {n} rows.", nameof(y));
        double[] glmEta = nested.GlmEta(x, offset);
        var xt = new T[n * p];
        for (int i = 0; i < n; i++) for (int j = 0; j < p; j++) xt[i * p + j] = T.CreateTruncating(x[i, j]);
        T[] yt = y.Select(T.CreateTruncating).ToArray(), ot = glmEta.Select(T.CreateTruncating).ToArray();
        return Compute<T>(nested.Network, xt, yt, n, weights?.ToArray() ?? default, ot);
    }

    /// <summary>Predictions with delta-method standard errors, one per row and output (row-major [rows, outputs]).</summary>
    /// <param name="x">Inputs, row-major [rows, inputs].</param>
    /// <param name="rows">Rows.</param>
    /// <param name="scale">Link (eta) or response (mu) scale.</param>
    /// <param name="offset">Offsets on eta, row-major [rows, outputs] (none when null).</param>
    /// <returns>The predictions and their standard errors.</returns>
    /// <exception cref="ArgumentException">A size does not match or a value is not finite.</exception>
    public GlmPrediction Predict(double[] x, int rows, GlmPredictionScale scale = GlmPredictionScale.Response, double[]? offset = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!Enum.IsDefined(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, $"scale {(int)scale} is not one of {string.Join(", ", Enum.GetNames<GlmPredictionScale>())}.");
        int p = InputCount, k = _calculus.Outputs;
        if (x.Length != (long)rows * p) throw new ArgumentException($"x has {x.Length} values; {rows} rows x {p} inputs = {(long)rows * p}.", nameof(x));
        if (offset is not null && offset.Length != rows * k) throw new ArgumentException($"offset has {offset.Length} values; it needs one per output and row ({rows * k}).", nameof(offset));
        var fit = new double[rows * k];
        var se = new double[rows * k];
        int np = _calculus.ParameterCount;
        var g = new double[np];
        lock (_gate) // the calculus keeps its forward pass in buffers
        {
            for (int i = 0; i < rows; i++)
            {
                ReadOnlySpan<double> xi = x.AsSpan(i * p, p);
                for (int j = 0; j < p; j++)
                {
                    if (!double.IsFinite(xi[j])) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"x[{i * p + j}] is {xi[j]}; inputs must be finite."), nameof(x));
                }

                double[] eta = _calculus.Forward(xi).ToArray();
                for (int o = 0; o < k; o++)
                {
                    _calculus.Gradient(xi, o, g);
                    var gv = Vector<double>.Build.DenseOfArray(g);
                    double s = Math.Sqrt(Math.Max(0, gv.DotProduct(_covariance * gv)));
                    double e = eta[o] + (offset?[i * k + o] ?? 0);
                    if (scale == GlmPredictionScale.Link)
                    {
                        fit[i * k + o] = e;
                        se[i * k + o] = s;
                    }
                    else
                    {
                        fit[i * k + o] = _outputLink.Inverse(e, out double d);
                        se[i * k + o] = s * Math.Abs(d);
                    }
                }
            }
        }

        return new GlmPrediction(fit, se, scale);
    }
}
