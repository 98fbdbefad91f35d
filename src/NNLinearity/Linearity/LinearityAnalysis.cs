using System;
using System.Collections.Generic;
using System.Linq;
using MathNet.Numerics.LinearAlgebra;
using NNLinearity.Layers;
using NNLinearity.Links;

namespace NNLinearity.Linearity;

/// <summary>Settings of <see cref="LinearityAnalysis.Analyze(StackedGlm{double}, double[,], double[,], LinearityOptions)"/>.</summary>
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
public sealed record LinearityOptions
{
    /// <summary>Rows of x analysed (the first ones; 20 by default): Hessians cost P^2 per row and output.</summary>
    public int MaxRows { get; init; } = 20;

    /// <summary>Random (t1, t2, a, b) tried in the additivity and homogeneity search (200).</summary>
    public int AdditivityTrials { get; init; } = 200;

    /// <summary>Random parameter points at which concavity of the log-likelihood is checked, besides the model's own (20).</summary>
    public int ConcavityTrials { get; init; } = 20;

    /// <summary>Seed of the searches.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Relative size below which a Hessian, an eigenvalue or a violation counts as rounding (1e-10): relative to the
    /// largest gradient entry for eta Hessians, to the largest Hessian entry for eigenvalues, and to |eta| for violations.
    /// </summary>
    public double Tolerance { get; init; } = 1e-10;
}

/// <summary>
/// Asks whether a model is a GLM, that is whether its linear predictor eta is linear in its parameters (McCullagh and
/// Nelder's sense of "linear"), and gathers the evidence: the exact parameter Hessian of eta, an additivity and
/// homogeneity search, the curvature of the log-likelihood, identifiability, collapse and local GLMs.
/// </summary>
/// <remarks>Thread safety: stateless; concurrent calls are safe, and each reads its model as any reader does (refused while the model is being trained).</remarks>
public static class LinearityAnalysis
{
    /// <summary>Analyses a model at the rows of MathNet matrices (see the array overload).</summary>
    /// <param name="model">The model (double).</param>
    /// <param name="x">Inputs [rows, inputs].</param>
    /// <param name="y">Responses [rows, outputs], or null to skip the log-likelihood.</param>
    /// <param name="options">Settings.</param>
    /// <returns>The report.</returns>
    public static LinearityReport Analyze(StackedGlm<double> model, Matrix<double> x, Matrix<double>? y = null, LinearityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Analyze(model, x.ToArray(), y?.ToArray(), options);
    }

    /// <summary>Analyses a model at the given inputs (and responses, for the log-likelihood).</summary>
    /// <param name="model">The model (double).</param>
    /// <param name="x">Inputs [rows, inputs]; the first <see cref="LinearityOptions.MaxRows"/> rows are used.</param>
    /// <param name="y">Responses [rows, outputs] for the log-likelihood part, or null to skip it.</param>
    /// <param name="options">Settings.</param>
    /// <returns>The report.</returns>
    public static LinearityReport Analyze(StackedGlm<double> model, double[,] x, double[,]? y = null, LinearityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        options ??= new LinearityOptions();
        if (options.MaxRows < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxRows, $"MaxRows is {options.MaxRows}; it must be at least 1.");
        if (options.AdditivityTrials < 0) throw new ArgumentOutOfRangeException(nameof(options), options.AdditivityTrials, $"AdditivityTrials is {options.AdditivityTrials}; it must be 0 or more.");
        if (options.ConcavityTrials < 0) throw new ArgumentOutOfRangeException(nameof(options), options.ConcavityTrials, $"ConcavityTrials is {options.ConcavityTrials}; it must be 0 or more.");
        if (!(options.Tolerance > 0 && options.Tolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Tolerance, $"Tolerance is {options.Tolerance.ToString(System.Globalization.CultureInfo.InvariantCulture)}; it must be in (0, 1): a relative size below which a Hessian or a violation counts as rounding.");
        }

        using UsageGuard.ReadScope reading = model.EnterRead();
        if (x.GetLength(1) != model.InputCount) throw new ArgumentException($"x has {x.GetLength(1)} columns; the model has {model.InputCount} inputs.", nameof(x));
        if (x.GetLength(0) == 0) throw new ArgumentException("x has no rows.", nameof(x));
        if (y is not null && (y.GetLength(0) != x.GetLength(0) || y.GetLength(1) != model.OutputCount))
        {
            throw new ArgumentException($"y must be [{x.GetLength(0)}, {model.OutputCount}].", nameof(y));
        }

        int rows = Math.Min(options.MaxRows, x.GetLength(0));
        double[][] xs = Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, model.InputCount).Select(j => x[i, j]).ToArray()).ToArray();
        model.CheckX(Matrices.AsSpan(x), x.GetLength(0), nameof(x));
        double[] theta = model.GetParameters();
        var calc = new ParameterCalculus(model, theta);
        var rng = new Random(options.Seed);

        (double hNorm, int hRank, double hMax, double gMax, List<string> blocks) = EtaHessian(calc, xs, options.Tolerance);
        bool hessianZero = hMax <= options.Tolerance * Math.Max(gMax, 1);
        double spreadH = Math.Max(1, Math.Sqrt(theta.Average(t => t * t)));
        for (int t = 0; t < options.ConcavityTrials && hessianZero; t++)
        {
            // Zero at the model's parameters (say every ReLU is off at these rows) need not mean zero elsewhere.
            calc.SetParameters(theta.Select(v => v + spreadH * Gaussian(rng)).ToArray());
            (hNorm, hRank, hMax, gMax, blocks) = EtaHessian(calc, xs, options.Tolerance);
            hessianZero = hMax <= options.Tolerance * Math.Max(gMax, 1);
        }

        calc.SetParameters(theta);
        (double additivity, double homogeneity, double a, double b) = AdditivitySearch(calc, theta, xs, options.AdditivityTrials, rng);

        double? maxEig = null, minEig = null, searchEig = null;
        bool? concaveAtModel = null, nonConcaveFound = null;
        if (y is not null)
        {
            double[][] ys = Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, model.OutputCount).Select(j => y[i, j]).ToArray()).ToArray();
            model.OutputLoss.ValidateResponses<double>(Matrices.AsSpan(y), y.GetLength(0), model.OutputCount, nameof(y));
            (double lo, double hi, bool concave) = LogLikelihoodCurvature(model, calc, theta, xs, ys, options.Tolerance);
            minEig = lo;
            maxEig = hi;
            concaveAtModel = double.IsNaN(hi) ? null : concave;
            nonConcaveFound = !concave;
            searchEig = concave ? null : hi;
            double spread = Math.Max(1, Math.Sqrt(theta.Average(t => t * t)));
            // Every trial runs, and the most convex direction found is reported (the model's own point may be a
            // degenerate one, such as a saturated fit, where all curvature is tiny).
            for (int t = 0; t < options.ConcavityTrials; t++)
            {
                double[] point = theta.Select(v => v + spread * Gaussian(rng)).ToArray();
                (_, double h, bool c) = LogLikelihoodCurvature(model, calc, point, xs, ys, options.Tolerance);
                if (!c && (searchEig is null || h > searchEig))
                {
                    nonConcaveFound = true;
                    searchEig = h;
                }
            }
        }

        (string? permutation, double? permutationChange) = PermutationCheck(model, calc, theta, xs);
        bool collapsible = Collapse.IsCollapsible(model, out string collapseReason);
        LocalGlm? local = model.Layers.Take(model.Layers.Count - 1).All(l => l.Link.IsPiecewiseLinear) && model.Layers.Count > 1 ? LocalGlmAt(model, xs[0]) : null;

        return new LinearityReport
        {
            Model = model.ToString(),
            RowsAnalysed = rows,
            ParameterCount = theta.Length,
            EtaHessianIsZero = hessianZero,
            EtaHessianNorm = hNorm,
            EtaHessianRank = hRank,
            InteractingBlocks = blocks,
            AdditivityViolation = additivity,
            HomogeneityViolation = homogeneity,
            AdditivityWitness = (a, b),
            LogLikelihoodMaxEigenvalue = maxEig,
            LogLikelihoodMinEigenvalue = minEig,
            LogLikelihoodConcaveAtModel = concaveAtModel,
            NonConcavePointFound = nonConcaveFound,
            NonConcaveEigenvalue = searchEig,
            PermutationDescription = permutation,
            PermutationChange = permutationChange,
            Collapsible = collapsible,
            CollapseReason = collapseReason,
            LocalGlm = local,
            Tolerance = options.Tolerance,
        };
    }

    /// <summary>
    /// The local GLM of a piecewise-linear network at x: the exact eta = c + A x valid on x's activation region.
    /// </summary>
    /// <param name="model">A model whose hidden links are all piecewise linear (identity, ReLU, leaky ReLU).</param>
    /// <param name="x">An input row.</param>
    /// <returns>The local GLM and x's activation pattern.</returns>
    /// <exception cref="InvalidOperationException">A hidden link is not piecewise linear.</exception>
    public static LocalGlm LocalGlmAt(StackedGlm<double> model, ReadOnlySpan<double> x)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (x.Length != model.InputCount) throw new ArgumentException($"x has {x.Length} values; the model has {model.InputCount} inputs.", nameof(x));
        for (int j = 0; j < x.Length; j++)
        {
            if (!double.IsFinite(x[j])) throw new ArgumentException($"x[{j}] is {x[j].ToString(System.Globalization.CultureInfo.InvariantCulture)}: a local GLM is taken at a finite point.", nameof(x));
        }

        for (int l = 0; l < model.Layers.Count - 1; l++)
        {
            if (!model.Layers[l].Link.IsPiecewiseLinear)
            {
                throw new InvalidOperationException($"Hidden layer {l + 1} has the {model.Layers[l].Link.Name} link, which is not piecewise linear: the model has no local GLM.");
            }
        }

        using UsageGuard.ReadScope reading = model.EnterRead();
        int inputs = model.InputCount;
        // Affine map of the current layer's input: A [width, inputs], c [width]; starts as the identity.
        double[] a = new double[inputs * inputs];
        for (int i = 0; i < inputs; i++) a[i * inputs + i] = 1;
        double[] c = new double[inputs];
        double[] value = x.ToArray();
        int width = inputs;
        var pattern = new List<bool[]>();
        for (int l = 0; l < model.Layers.Count; l++)
        {
            GlmLayer<double> layer = model.Layers[l];
            int n = layer.OutputCount;
            var na = new double[n * inputs];
            var nc = new double[n];
            var z = new double[n];
            ReadOnlySpan<double> w = layer.Weights;
            for (int o = 0; o < n; o++)
            {
                double s = layer.Bias[o], zs = layer.Bias[o];
                for (int r = 0; r < width; r++)
                {
                    double wr = w[o * width + r];
                    s += wr * c[r];
                    zs += wr * value[r];
                    for (int i = 0; i < inputs; i++) na[o * inputs + i] += wr * a[r * inputs + i];
                }

                nc[o] = s;
                z[o] = zs;
            }

            if (l < model.Layers.Count - 1)
            {
                ILinkFunction link = layer.Link;
                var on = new bool[n];
                for (int o = 0; o < n; o++)
                {
                    on[o] = z[o] > 0;
                    double slope = link.InverseDerivative(z[o]); // f(z) = slope z on this side of the kink
                    nc[o] *= slope;
                    for (int i = 0; i < inputs; i++) na[o * inputs + i] *= slope;
                    z[o] = link.Inverse(z[o]);
                }

                pattern.Add(on);
            }

            a = na;
            c = nc;
            value = z;
            width = n;
        }

        return new LocalGlm(inputs, width, a, c, pattern.ToArray());
    }

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static string BlockName(ParameterCalculus calc, int index)
    {
        for (int l = 0; l < calc.LayerCount; l++)
        {
            if (index < calc.Offset(l + 1)) return (index - calc.Offset(l) < calc.Units(l) * calc.Inputs(l) ? "W" : "b") + (l + 1);
        }

        throw new ArgumentOutOfRangeException(nameof(index));
    }

    private static (double Norm, int Rank, double MaxEntry, double MaxGradient, List<string> Blocks) EtaHessian(ParameterCalculus calc, double[][] xs, double tolerance)
    {
        int p = calc.ParameterCount;
        double norm = 0, maxEntry = 0, maxGradient = 0;
        int rank = 0;
        var interacting = new SortedSet<string>(StringComparer.Ordinal);
        var g = new double[p];
        foreach (double[] x in xs)
        {
            for (int o = 0; o < calc.Outputs; o++)
            {
                double[] h = calc.Hessian(x, o);
                calc.Gradient(x, o, g);
                maxGradient = Math.Max(maxGradient, g.Max(Math.Abs));
                double f = Math.Sqrt(h.Sum(v => v * v));
                norm = Math.Max(norm, f);
                maxEntry = Math.Max(maxEntry, h.Max(Math.Abs));
                if (f > 0)
                {
                    Vector<double> eig = Matrix<double>.Build.Dense(p, p, h).Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Map(z => z.Real);
                    double top = eig.AbsoluteMaximum();
                    rank = Math.Max(rank, eig.Count(e => Math.Abs(e) > top * p * 1e-15));
                    for (int i = 0; i < p; i++)
                    {
                        for (int j = i; j < p; j++)
                        {
                            if (Math.Abs(h[i * p + j]) > tolerance * Math.Max(1, maxGradient))
                            {
                                string bi = BlockName(calc, i), bj = BlockName(calc, j);
                                interacting.Add(string.CompareOrdinal(bi, bj) <= 0 ? $"{bi} x {bj}" : $"{bj} x {bi}");
                            }
                        }
                    }
                }
            }
        }

        return (norm, rank, maxEntry, maxGradient, interacting.ToList());
    }

    private static (double Additivity, double Homogeneity, double A, double B) AdditivitySearch(ParameterCalculus calc, double[] theta, double[][] xs, int trials, Random rng)
    {
        double worst = 0, worstHom = 0, wa = 0, wb = 0;
        double spread = Math.Max(1, Math.Sqrt(theta.Average(t => t * t)));
        int p = theta.Length;
        var mix = new double[p];
        for (int t = 0; t < trials; t++)
        {
            double[] t1 = theta.Select(v => v + spread * Gaussian(rng)).ToArray();
            double[] t2 = theta.Select(v => v + spread * Gaussian(rng)).ToArray();
            double a = 4 * rng.NextDouble() - 2, b = 4 * rng.NextDouble() - 2;
            for (int i = 0; i < p; i++) mix[i] = a * t1[i] + b * t2[i];
            double[] scaled = t1.Select(v => a * v).ToArray();
            foreach (double[] x in xs)
            {
                double[] e1 = calc.Eta(t1, x), e2 = calc.Eta(t2, x), e12 = calc.Eta(mix, x), ea = calc.Eta(scaled, x);
                for (int o = 0; o < e1.Length; o++)
                {
                    // Relative to the terms, with a floor of 1: eta near 0 is a cancellation of larger sums.
                    double scale = Math.Max(Math.Max(Math.Abs(a * e1[o]), Math.Abs(b * e2[o])), Math.Max(Math.Abs(e12[o]), 1));
                    double v = Math.Abs(e12[o] - a * e1[o] - b * e2[o]) / scale;
                    if (v > worst)
                    {
                        worst = v;
                        wa = a;
                        wb = b;
                    }

                    double hs = Math.Max(Math.Max(Math.Abs(ea[o]), Math.Abs(a * e1[o])), 1);
                    worstHom = Math.Max(worstHom, Math.Abs(ea[o] - a * e1[o]) / hs);
                }
            }
        }

        calc.SetParameters(theta);
        return (worst, worstHom, wa, wb);
    }

    /// <summary>Extreme eigenvalues of the log-likelihood's Hessian (minus the Hessian of the summed half deviance) at theta.</summary>
    private static (double Min, double Max, bool Concave) LogLikelihoodCurvature(StackedGlm<double> model, ParameterCalculus calc, double[] theta, double[][] xs, double[][] ys, double tolerance)
    {
        int p = theta.Length, k = calc.Outputs;
        calc.SetParameters(theta);
        var h = new double[p * p];
        var grad = new double[k];
        var curv = new double[k * k];
        var jac = new double[k][];
        for (int o = 0; o < k; o++) jac[o] = new double[p];
        var v = new double[p];
        var hv = new double[p];
        for (int r = 0; r < xs.Length; r++)
        {
            double[] eta = calc.Forward(xs[r]).ToArray();
            model.OutputLoss.RowDerivatives(eta, ys[r], 1.0, grad, curv);
            for (int o = 0; o < k; o++) calc.Gradient(xs[r], o, jac[o]);
            for (int o1 = 0; o1 < k; o1++)
            {
                for (int o2 = 0; o2 < k; o2++)
                {
                    double c = curv[o1 * k + o2];
                    if (c == 0) continue;
                    for (int i = 0; i < p; i++)
                    {
                        double ci = c * jac[o1][i];
                        for (int j = 0; j < p; j++) h[i * p + j] += ci * jac[o2][j];
                    }
                }
            }

            for (int o = 0; o < k; o++)
            {
                if (grad[o] == 0) continue;
                calc.Forward(xs[r]);
                for (int j = 0; j < p; j++)
                {
                    v[j] = 1;
                    calc.HessianVector(xs[r], o, v, hv);
                    v[j] = 0;
                    for (int i = 0; i < p; i++) h[i * p + j] += grad[o] * hv[i];
                }
            }
        }

        // Log-likelihood = -(half deviance) / dispersion: its Hessian is -h (up to the positive dispersion).
        for (int i = 0; i < h.Length; i++) h[i] = -h[i];
        for (int i = 0; i < p; i++)
        {
            for (int j = i + 1; j < p; j++) h[i * p + j] = h[j * p + i] = 0.5 * (h[i * p + j] + h[j * p + i]);
        }

        if (h.Any(v => !double.IsFinite(v)))
        {
            // The curvature overflows far in a link's tail (exp(exp(eta)) terms): no eigenvalues at this point.
            calc.SetParameters(model.GetParameters());
            return (double.NaN, double.NaN, true);
        }

        Vector<double> eig = Matrix<double>.Build.Dense(p, p, h).Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric).EigenValues.Map(z => z.Real);
        double scale = Math.Max(h.Max(Math.Abs), 1e-300);
        double max = eig.Maximum(), min = eig.Minimum();
        calc.SetParameters(model.GetParameters());
        return (min, max, max <= tolerance * scale * p);
    }

    private static (string?, double?) PermutationCheck(StackedGlm<double> model, ParameterCalculus calc, double[] theta, double[][] xs)
    {
        for (int l = 0; l < model.Layers.Count - 1; l++)
        {
            int n = model.Layers[l].OutputCount, inputs = model.Layers[l].InputCount;
            if (n < 2) continue;
            double[] swapped = (double[])theta.Clone();
            int off = model.ParameterOffset(l), next = model.ParameterOffset(l + 1);
            for (int i = 0; i < inputs; i++) (swapped[off + i], swapped[off + inputs + i]) = (swapped[off + inputs + i], swapped[off + i]);
            (swapped[off + n * inputs], swapped[off + n * inputs + 1]) = (swapped[off + n * inputs + 1], swapped[off + n * inputs]);
            int outs = model.Layers[l + 1].OutputCount;
            for (int o = 0; o < outs; o++) (swapped[next + o * n], swapped[next + o * n + 1]) = (swapped[next + o * n + 1], swapped[next + o * n]);
            double change = 0;
            foreach (double[] x in xs)
            {
                double[] e0 = calc.Eta(theta, x), e1 = calc.Eta(swapped, x);
                for (int o = 0; o < e0.Length; o++) change = Math.Max(change, Math.Abs(e0[o] - e1[o]) / Math.Max(Math.Abs(e0[o]), 1));
            }

            calc.SetParameters(theta);
            return ($"swapping hidden units 1 and 2 of layer {l + 1}", change);
        }

        return (null, null);
    }
}
