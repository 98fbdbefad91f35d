using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Threading;
using MathNet.Numerics.LinearAlgebra;
using NNLinearity.Layers;

namespace NNLinearity.Linearity;

/// <summary>How the analysis treats the parameter Hessians.</summary>
public enum HessianMethod
{
    /// <summary>Dense up to <see cref="LinearityOptions.DenseParameterLimit"/> parameters, matrix-free above.</summary>
    Auto = 0,

    /// <summary>Every Hessian formed as a P x P matrix (one Hessian-vector product per column) and eigendecomposed.</summary>
    Dense = 1,

    /// <summary>Hessians only through Hessian-vector products: Lanczos for extreme eigenvalues, a randomised range finder for ranks.</summary>
    MatrixFree = 2,
}

/// <summary>A stage of <see cref="LinearityAnalysis"/> and how far it is.</summary>
/// <param name="Stage">What runs: "eta Hessian", "additivity", "log-likelihood", "concavity search".</param>
/// <param name="Completed">Steps of the stage done.</param>
/// <param name="Total">Steps of the stage.</param>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
public readonly record struct LinearityProgress(string Stage, int Completed, int Total);

/// <summary>Settings of <see cref="LinearityAnalysis.Analyze{T}(StackedGlm{T}, T[,], T[,], LinearityOptions)"/>.</summary>
/// <remarks>Thread safety: an immutable record; safe to share across threads (its Progress then receives several analyses' reports).</remarks>
public sealed record LinearityOptions
{
    /// <summary>
    /// Rows of x analysed (1,000): when x has more, a sample of this many drawn with <see cref="Seed"/> (reported in
    /// <see cref="LinearityReport.RowIndices"/>); otherwise all rows.
    /// </summary>
    public int MaxRows { get; init; } = 1000;

    /// <summary>
    /// Analysed rows (the first ones of the sample; 8) at which the eta Hessian's spectrum, rank and blocks are computed.
    /// Every analysed row is also probed for a non-zero Hessian.
    /// </summary>
    public int SpectrumRows { get; init; } = 8;

    /// <summary>Random (t1, t2, a, b) tried in the additivity and homogeneity search (200).</summary>
    public int AdditivityTrials { get; init; } = 200;

    /// <summary>Random parameter points at which concavity of the log-likelihood is checked, besides the model's own (20).</summary>
    public int ConcavityTrials { get; init; } = 20;

    /// <summary>Dense or matrix-free Hessians (Auto).</summary>
    public HessianMethod Method { get; init; } = HessianMethod.Auto;

    /// <summary>Largest parameter count analysed with dense Hessians under <see cref="HessianMethod.Auto"/> (200).</summary>
    public int DenseParameterLimit { get; init; } = 200;

    /// <summary>Random probes of the matrix-free eta-Hessian spectrum (48): ranks below it are exact, above it lower bounds.</summary>
    public int HessianProbes { get; init; } = 48;

    /// <summary>Probes per parameter block for the block interactions (24): blocks this size or smaller are probed exactly.</summary>
    public int BlockProbes { get; init; } = 24;

    /// <summary>Largest number of Lanczos steps for the log-likelihood's extreme eigenvalues (40).</summary>
    public int LanczosSteps { get; init; } = 40;

    /// <summary>Seed of the row sample and the searches.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Relative size below which a Hessian, an eigenvalue or a violation counts as rounding (1e-10): relative to the
    /// gradient's scale for eta Hessians, to the largest eigenvalue for the log-likelihood, and to |eta| for violations.
    /// </summary>
    public double Tolerance { get; init; } = 1e-10;

    /// <summary>Receives the stage and its progress, or null.</summary>
    public IProgress<LinearityProgress>? Progress { get; init; }

    /// <summary>Cancels the analysis (it then throws <see cref="OperationCanceledException"/>).</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>
/// Asks whether a model is a GLM, that is whether its linear predictor eta is linear in its parameters (McCullagh and
/// Nelder's sense of "linear"), and gathers the evidence: the parameter Hessian of eta (exact, by forward-over-reverse
/// differentiation), an additivity and homogeneity search, the curvature of the log-likelihood, identifiability,
/// collapse and, for piecewise-linear networks, local GLMs and their regions.
/// </summary>
/// <remarks>Thread safety: stateless; concurrent calls are safe, and each reads its model as any reader does (refused while the model is being trained).</remarks>
public static partial class LinearityAnalysis
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

    /// <summary>Analyses a double model at the given inputs (and responses, for the log-likelihood).</summary>
    /// <param name="model">The model.</param>
    /// <param name="x">Inputs [rows, inputs]; at most <see cref="LinearityOptions.MaxRows"/> of them are used.</param>
    /// <param name="y">Responses [rows, outputs] for the log-likelihood part, or null to skip it.</param>
    /// <param name="options">Settings.</param>
    /// <returns>The report.</returns>
    public static LinearityReport Analyze(StackedGlm<double> model, double[,] x, double[,]? y = null, LinearityOptions? options = null) =>
        Analyze<double>(model, x, y, options);

    /// <summary>
    /// Analyses a model of any element type at the given inputs (and responses, for the log-likelihood), in double
    /// from its parameters. Small models (up to <see cref="LinearityOptions.DenseParameterLimit"/> parameters) get
    /// dense Hessians; larger ones are analysed matrix-free, through Hessian-vector products over the analysed rows.
    /// </summary>
    /// <typeparam name="T">The model's element type.</typeparam>
    /// <param name="model">The model.</param>
    /// <param name="x">Inputs [rows, inputs]; at most <see cref="LinearityOptions.MaxRows"/> of them are used.</param>
    /// <param name="y">Responses [rows, outputs] for the log-likelihood part, or null to skip it.</param>
    /// <param name="options">Settings.</param>
    /// <returns>The report.</returns>
    /// <exception cref="OperationCanceledException">The options' token was cancelled.</exception>
    public static LinearityReport Analyze<T>(StackedGlm<T> model, T[,] x, T[,]? y = null, LinearityOptions? options = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        options ??= new LinearityOptions();
        CheckOptions(options);
        using UsageGuard.ReadScope reading = model.EnterRead();
        if (x.GetLength(1) != model.InputCount) throw new ArgumentException($"x has {x.GetLength(1)} columns; the model has {model.InputCount} inputs.", nameof(x));
        if (x.GetLength(0) == 0) throw new ArgumentException("x has no rows.", nameof(x));
        if (y is not null && (y.GetLength(0) != x.GetLength(0) || y.GetLength(1) != model.OutputCount))
        {
            throw new ArgumentException($"y must be [{x.GetLength(0)}, {model.OutputCount}].", nameof(y));
        }

        model.CheckX(Matrices.AsSpan(x), x.GetLength(0), nameof(x));
        if (y is not null) model.OutputLoss.ValidateResponses<T>(Matrices.AsSpan(y), y.GetLength(0), model.OutputCount, nameof(y));
        return new Analysis<T>(model, x, y, options).Run();
    }

    private static void CheckOptions(LinearityOptions options)
    {
        LinearityOptions o = options;
        string param = nameof(options);
        void AtLeast(int value, int min, string name)
        {
            if (value < min) throw new ArgumentOutOfRangeException(param, value, $"{name} is {value}; it must be at least {min}.");
        }

        AtLeast(o.MaxRows, 1, nameof(o.MaxRows));
        AtLeast(o.SpectrumRows, 1, nameof(o.SpectrumRows));
        AtLeast(o.AdditivityTrials, 0, nameof(o.AdditivityTrials));
        AtLeast(o.ConcavityTrials, 0, nameof(o.ConcavityTrials));
        AtLeast(o.DenseParameterLimit, 0, nameof(o.DenseParameterLimit));
        AtLeast(o.HessianProbes, 1, nameof(o.HessianProbes));
        AtLeast(o.BlockProbes, 1, nameof(o.BlockProbes));
        AtLeast(o.LanczosSteps, 2, nameof(o.LanczosSteps));
        if (!Enum.IsDefined(o.Method)) throw new ArgumentOutOfRangeException(nameof(options), o.Method, $"Method is {o.Method}; it must be Auto, Dense or MatrixFree.");
        if (!(o.Tolerance > 0 && o.Tolerance < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), o.Tolerance, $"Tolerance is {o.Tolerance.ToString(System.Globalization.CultureInfo.InvariantCulture)}; it must be in (0, 1): a relative size below which a Hessian or a violation counts as rounding.");
        }
    }

    /// <summary>One analysis: the sampled rows in double, the calculus over them and the searches' random stream.</summary>
    private sealed class Analysis<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        private readonly StackedGlm<T> _model;
        private readonly LinearityOptions _o;
        private readonly int[] _rows;
        private readonly int _given;
        private readonly int _inputs, _outputs, _p;
        private readonly double[] _x;
        private readonly double[]? _y;
        private readonly double[] _theta;
        private readonly BatchCalculus _calc;
        private readonly bool _dense;
        private readonly Random _rng;
        private readonly CancellationToken _ct;

        public Analysis(StackedGlm<T> model, T[,] x, T[,]? y, LinearityOptions o)
        {
            _model = model;
            _o = o;
            _ct = o.CancellationToken;
            _rng = new Random(o.Seed);
            int n = x.GetLength(0);
            _given = n;
            _inputs = model.InputCount;
            _outputs = model.OutputCount;
            _rows = SampleRows(n, o.MaxRows, o.Seed);
            _x = new double[_rows.Length * _inputs];
            for (int r = 0; r < _rows.Length; r++)
            {
                for (int j = 0; j < _inputs; j++) _x[r * _inputs + j] = double.CreateTruncating(x[_rows[r], j]);
            }

            if (y is not null)
            {
                _y = new double[_rows.Length * _outputs];
                for (int r = 0; r < _rows.Length; r++)
                {
                    for (int j = 0; j < _outputs; j++) _y[r * _outputs + j] = double.CreateTruncating(y[_rows[r], j]);
                }
            }

            _theta = StackShape.Parameters(model);
            _p = _theta.Length;
            _calc = BatchCalculus.Of(model, _x, _rows.Length, _theta);
            _dense = o.Method == HessianMethod.Dense || (o.Method == HessianMethod.Auto && _p <= o.DenseParameterLimit);
        }

        private static int[] SampleRows(int n, int max, int seed)
        {
            if (n <= max) return Enumerable.Range(0, n).ToArray();
            // A partial Fisher-Yates shuffle with its own stream, so the searches' draws do not depend on n.
            var rng = new Random(unchecked(seed * 31 + 17));
            int[] all = Enumerable.Range(0, n).ToArray();
            for (int i = 0; i < max; i++)
            {
                int j = i + rng.Next(n - i);
                (all[i], all[j]) = (all[j], all[i]);
            }

            int[] pick = all[..max];
            Array.Sort(pick);
            return pick;
        }

        private void Report(string stage, int done, int total) => _o.Progress?.Report(new LinearityProgress(stage, done, total));

        public LinearityReport Run()
        {
            EtaEvidence eta = EtaHessian(_theta);
            int perturbed = 0;
            double spreadH = Math.Max(1, Math.Sqrt(_theta.Average(t => t * t)));
            for (int t = 0; t < _o.ConcavityTrials && eta.IsZero; t++)
            {
                // Zero at the model's parameters (say every ReLU is off at these rows) need not mean zero elsewhere.
                perturbed++;
                eta = EtaHessian(_theta.Select(v => v + spreadH * Spectra.Normal(_rng)).ToArray());
            }

            _calc.SetParameters(_theta);
            (double additivity, double homogeneity, double a, double b) = AdditivitySearch();

            double? maxEig = null, minEig = null, searchEig = null;
            bool? concaveAtModel = null, nonConcaveFound = null;
            int points = 0;
            if (_y is not null)
            {
                Report("log-likelihood", 0, 1 + _o.ConcavityTrials);
                (double lo, double hi, bool concave) = Curvature(_theta, stopWhenNotConcave: false);
                points++;
                minEig = lo;
                maxEig = hi;
                concaveAtModel = double.IsNaN(hi) ? null : concave;
                nonConcaveFound = !concave;
                searchEig = concave ? null : hi;
                double spread = Math.Max(1, Math.Sqrt(_theta.Average(t => t * t)));
                // Every trial runs, and the most convex direction found is reported (the model's own point may be a
                // degenerate one, such as a saturated fit, where all curvature is tiny).
                for (int t = 0; t < _o.ConcavityTrials; t++)
                {
                    Report("concavity search", t, _o.ConcavityTrials);
                    double[] point = _theta.Select(v => v + spread * Spectra.Normal(_rng)).ToArray();
                    (_, double h, bool c) = Curvature(point, stopWhenNotConcave: true);
                    points++;
                    if (!c && (searchEig is null || h > searchEig))
                    {
                        nonConcaveFound = true;
                        searchEig = h;
                    }
                }

                Report("concavity search", _o.ConcavityTrials, _o.ConcavityTrials);
            }

            _calc.SetParameters(_theta);
            (string? permutation, double? permutationChange) = PermutationCheck();
            bool collapsible = Collapse.IsCollapsible(_model, out string collapseReason);
            LocalGlm? local = _model.Layers.Count > 1 && _model.Layers.Take(_model.Layers.Count - 1).All(l => l.Link.IsPiecewiseLinear)
                ? LocalGlmAtUnguarded(_model, _theta, _x.AsSpan(0, _inputs))
                : null;

            return new LinearityReport
            {
                Model = _model.ToString(),
                RowsAnalysed = _rows.Length,
                RowIndices = _rows,
                RowsGiven = _given,
                ParameterCount = _p,
                Method = _dense ? HessianMethod.Dense : HessianMethod.MatrixFree,
                SpectrumRows = eta.SpectrumRows,
                EtaHessianIsZero = eta.IsZero,
                EtaHessianNorm = eta.Frobenius,
                EtaHessianRank = eta.Rank,
                EtaHessianRankIsLowerBound = eta.RankIsLowerBound,
                EtaHessianRankIsIllDetermined = eta.RankIsIllDetermined,
                EtaHessianRelativeNorm = eta.Relative,
                PerturbedPointsTried = perturbed,
                InteractingBlocks = eta.Blocks.Where(bl => bl.Interacting).Select(bl => $"{bl.First} x {bl.Second}").ToList(),
                BlockInteractions = eta.Blocks,
                AdditivityTrials = _o.AdditivityTrials,
                AdditivityViolation = additivity,
                HomogeneityViolation = homogeneity,
                AdditivityWitness = (a, b),
                LogLikelihoodMaxEigenvalue = maxEig,
                LogLikelihoodMinEigenvalue = minEig,
                LogLikelihoodConcaveAtModel = concaveAtModel,
                NonConcavePointFound = nonConcaveFound,
                NonConcaveEigenvalue = searchEig,
                ConcavityPointsTried = points,
                PermutationDescription = permutation,
                PermutationChange = permutationChange,
                Collapsible = collapsible,
                CollapseReason = collapseReason,
                LocalGlm = local,
                Tolerance = _o.Tolerance,
            };
        }

        private sealed record EtaEvidence(bool IsZero, double Frobenius, int Rank, bool RankIsLowerBound, bool RankIsIllDetermined, double Relative, int SpectrumRows, IReadOnlyList<BlockInteraction> Blocks);

        private string[] BlockNames()
        {
            var names = new string[2 * _calc.LayerCount];
            for (int l = 0; l < _calc.LayerCount; l++)
            {
                names[2 * l] = "W" + (l + 1);
                names[2 * l + 1] = "b" + (l + 1);
            }

            return names;
        }

        private (int Start, int Length) Block(int b)
        {
            int l = b / 2, n = _calc.Units(l), k = _calc.Inputs(l);
            return b % 2 == 0 ? (_calc.Offset(l), n * k) : (_calc.Offset(l) + n * k, n);
        }

        /// <summary>The eta-Hessian evidence at theta: a probe of every analysed row, then the spectrum rows in full.</summary>
        private EtaEvidence EtaHessian(double[] theta)
        {
            _calc.SetParameters(theta);
            int m = _rows.Length, k = _outputs;
            double tol = _o.Tolerance, relative = 0;
            var grad = new double[_p];
            var hv = new double[_p];

            // Every row at once: S random [rows, outputs], v random. Sum_ro S_ro H_ro v vanishes for random S and v
            // only when every H_ro does (almost surely), so two probes test all rows.
            for (int probe = 0; probe < 2; probe++)
            {
                double[] seed = Spectra.Gaussian(m * k, _rng);
                double[] v = Spectra.Gaussian(_p, _rng);
                _calc.Backward(seed, grad);
                _calc.HessianVector(v, hv);
                relative = Math.Max(relative, Spectra.Norm(hv) / (Spectra.Norm(v) * Math.Max(Spectra.Norm(grad), 1)));
            }

            int spectrumRows = Math.Min(_o.SpectrumRows, m);
            string[] names = BlockNames();
            int blocks = names.Length;
            var blockNorm = new double[blocks, blocks];
            var blockRank = new int[blocks, blocks];
            var blockLower = new bool[blocks, blocks];
            var blockIll = new bool[blocks, blocks];
            var blockExact = new bool[blocks, blocks];
            var blockMax = new double[blocks, blocks];
            double frobenius = 0;
            int rank = 0;
            bool rankLower = false, rankIll = false;
            double gMax = 0;
            // The blocks (A, B), A <= B, from B's probed columns restricted to A's rows; each B's columns are dropped after use.
            void Pairs(int bb, IReadOnlyList<double[]> cols, bool exactB)
            {
                for (int ba = 0; ba <= bb; ba++)
                {
                    (int start, int length) = Block(ba);
                    (int rk, double fro, double mx, bool ill) = Spectra.ColumnRank(cols, start, length);
                    blockIll[ba, bb] |= ill;
                    int probes = cols.Count;
                    if (!exactB) fro /= Math.Sqrt(probes); // E |H Omega|_F^2 = probes |H|_F^2 for Gaussian Omega
                    blockExact[ba, bb] = exactB;
                    blockNorm[ba, bb] = Math.Max(blockNorm[ba, bb], fro);
                    blockMax[ba, bb] = Math.Max(blockMax[ba, bb], mx);
                    bool lower = !exactB && rk == probes;
                    if (rk > blockRank[ba, bb] || (rk == blockRank[ba, bb] && lower)) blockLower[ba, bb] = lower;
                    blockRank[ba, bb] = Math.Max(blockRank[ba, bb], rk);
                }
            }

            for (int r = 0; r < spectrumRows; r++)
            {
                Report("eta Hessian", r, spectrumRows);
                _ct.ThrowIfCancellationRequested();
                var row = BatchCalculus.Of(_model, _x.AsSpan(r * _inputs, _inputs).ToArray(), 1, theta);
                // One output: its eta. Several: a random unit combination of them, whose Hessian is zero only when all are.
                double[] u = k == 1 ? [1.0] : Spectra.Gaussian(k, _rng);
                double un = Spectra.Norm(u);
                for (int o = 0; o < k; o++) u[o] /= un;
                row.Backward(u, grad);
                double gn = Spectra.Norm(grad);
                gMax = Math.Max(gMax, grad.Max(Math.Abs));
                void Apply(double[] v, double[] result) => row.HessianVector(v, result);

                double spectral;
                if (_dense)
                {
                    double[] h = row.DenseHessian(default, _ct);
                    double[] eig = Spectra.SymmetricEigenvalues(Matrix<double>.Build.Dense(_p, _p, h));
                    double top = eig.Length == 0 ? 0 : Math.Max(Math.Abs(eig[0]), Math.Abs(eig[^1]));
                    frobenius = Math.Max(frobenius, Math.Sqrt(h.Sum(e => e * e)));
                    (int rowRank, bool rowIll) = Spectra.EigenvalueRank(eig, top * Spectra.RankThreshold(_p));
                    rank = Math.Max(rank, rowRank);
                    rankIll |= rowIll;
                    spectral = top;
                    for (int b = 0; b < blocks; b++)
                    {
                        (int start, int length) = Block(b);
                        var cols = new double[length][];
                        for (int j = 0; j < length; j++) cols[j] = h.AsSpan((start + j) * _p, _p).ToArray(); // symmetric: row = column
                        Pairs(b, cols, exactB: true);
                    }
                }
                else
                {
                    RitzSpectrum s = Spectra.RayleighRitz(Apply, _p, _o.HessianProbes, _rng, _ct);
                    frobenius = Math.Max(frobenius, s.FrobeniusNorm);
                    if (s.Rank > rank || (s.Rank == rank && s.RankIsLowerBound)) rankLower = s.RankIsLowerBound;
                    rank = Math.Max(rank, s.Rank);
                    rankIll |= s.RankIsIllDetermined;
                    spectral = s.SpectralNorm;
                    for (int b = 0; b < blocks; b++)
                    {
                        _ct.ThrowIfCancellationRequested();
                        (int start, int length) = Block(b);
                        bool exact = length <= _o.BlockProbes;
                        int probes = exact ? length : _o.BlockProbes;
                        var cols = new double[probes][];
                        var v = new double[_p];
                        for (int j = 0; j < probes; j++)
                        {
                            Array.Clear(v);
                            if (exact) v[start + j] = 1;
                            else for (int i = 0; i < length; i++) v[start + i] = Spectra.Normal(_rng);
                            cols[j] = new double[_p];
                            row.HessianVector(v, cols[j]);
                        }

                        Pairs(b, cols, exact);
                    }
                }

                relative = Math.Max(relative, spectral / Math.Max(gn, 1));
            }

            Report("eta Hessian", spectrumRows, spectrumRows);
            var list = new List<BlockInteraction>();
            for (int bb = 0; bb < blocks; bb++)
            {
                for (int ba = 0; ba <= bb; ba++)
                {
                    bool interacting = blockMax[ba, bb] > tol * Math.Max(1, gMax);
                    string first = names[ba], second = names[bb];
                    if (string.CompareOrdinal(first, second) > 0) (first, second) = (second, first);
                    list.Add(new BlockInteraction(first, second, blockNorm[ba, bb], interacting ? blockRank[ba, bb] : 0, interacting && blockLower[ba, bb], !blockExact[ba, bb], interacting)
                    {
                        RankIsIllDetermined = interacting && blockIll[ba, bb],
                    });
                }
            }

            list.Sort((p, q) => string.CompareOrdinal($"{p.First} x {p.Second}", $"{q.First} x {q.Second}"));
            return new EtaEvidence(relative <= tol, frobenius, rank, rankLower, rankIll, relative, spectrumRows, list);
        }

        private (double Additivity, double Homogeneity, double A, double B) AdditivitySearch()
        {
            double worst = 0, worstHom = 0, wa = 0, wb = 0;
            double spread = Math.Max(1, Math.Sqrt(_theta.Average(t => t * t)));
            var mix = new double[_p];
            var scaled = new double[_p];
            for (int t = 0; t < _o.AdditivityTrials; t++)
            {
                if (t % 16 == 0) Report("additivity", t, _o.AdditivityTrials);
                _ct.ThrowIfCancellationRequested();
                double[] t1 = _theta.Select(v => v + spread * Spectra.Normal(_rng)).ToArray();
                double[] t2 = _theta.Select(v => v + spread * Spectra.Normal(_rng)).ToArray();
                double a = 4 * _rng.NextDouble() - 2, b = 4 * _rng.NextDouble() - 2;
                for (int i = 0; i < _p; i++)
                {
                    mix[i] = a * t1[i] + b * t2[i];
                    scaled[i] = a * t1[i];
                }

                double[] e1 = _calc.Eta(t1), e2 = _calc.Eta(t2), e12 = _calc.Eta(mix), ea = _calc.Eta(scaled);
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

            Report("additivity", _o.AdditivityTrials, _o.AdditivityTrials);
            _calc.SetParameters(_theta);
            return (worst, worstHom, wa, wb);
        }

        /// <summary>
        /// Extreme eigenvalues of the log-likelihood's Hessian (minus the Hessian of the summed half deviance) at theta,
        /// dense or by Lanczos; when <paramref name="stopWhenNotConcave"/>, Lanczos stops once a Ritz value proves a
        /// positive eigenvalue.
        /// </summary>
        private (double Min, double Max, bool Concave) Curvature(double[] theta, bool stopWhenNotConcave)
        {
            int m = _rows.Length, k = _outputs;
            _calc.SetParameters(theta);
            ReadOnlySpan<double> eta = _calc.Forward();
            var seed = new double[m * k];
            var curvature = new double[m * k * k];
            OutputLoss loss = _model.OutputLoss;
            for (int r = 0; r < m; r++)
            {
                loss.RowDerivatives(eta.Slice(r * k, k), _y.AsSpan(r * k, k), 1.0, seed.AsSpan(r * k, k), curvature.AsSpan(r * k * k, k * k));
            }

            if (!seed.All(double.IsFinite) || !curvature.All(double.IsFinite)) return NotEvaluable();
            _calc.Backward(seed, default);
            double min, max, scale;
            if (_dense)
            {
                double[] h = _calc.DenseHessian(curvature, _ct);
                if (!h.All(double.IsFinite)) return NotEvaluable();
                for (int i = 0; i < h.Length; i++) h[i] = -h[i];
                double[] eig = Spectra.SymmetricEigenvalues(Matrix<double>.Build.Dense(_p, _p, h));
                (min, max) = (eig[0], eig[^1]);
                scale = Math.Max(Math.Max(Math.Abs(min), Math.Abs(max)), 1e-300);
            }
            else
            {
                bool overflow = false;
                void Apply(double[] v, double[] hv)
                {
                    _calc.HessianVector(v, hv, curvature);
                    for (int i = 0; i < hv.Length; i++)
                    {
                        hv[i] = -hv[i];
                        overflow |= !double.IsFinite(hv[i]);
                    }
                }

                double threshold = double.PositiveInfinity;
                if (stopWhenNotConcave)
                {
                    // A quick estimate of the scale from two steps, then stop as soon as a Ritz value is clearly positive.
                    LanczosResult first = Spectra.Lanczos(Apply, _p, 2, new Random(_rng.Next()), double.PositiveInfinity, _ct);
                    threshold = _o.Tolerance * _p * Math.Max(Math.Abs(first.Min), Math.Abs(first.Max));
                }

                LanczosResult res = Spectra.Lanczos(Apply, _p, _o.LanczosSteps, new Random(_rng.Next()), threshold, _ct);
                if (overflow) return NotEvaluable();
                (min, max) = (res.Min, res.Max);
                scale = Math.Max(Math.Max(Math.Abs(min), Math.Abs(max)), 1e-300);
            }

            _calc.SetParameters(_theta);
            return (min, max, max <= _o.Tolerance * scale * _p);
        }

        private (double, double, bool) NotEvaluable()
        {
            // The curvature overflows far in a link's tail (exp(exp(eta)) terms): no eigenvalues at this point.
            _calc.SetParameters(_theta);
            return (double.NaN, double.NaN, true);
        }

        private (string?, double?) PermutationCheck()
        {
            for (int l = 0; l < _model.Layers.Count - 1; l++)
            {
                int n = _model.Layers[l].OutputCount, inputs = _model.Layers[l].InputCount;
                if (n < 2) continue;
                double[] swapped = (double[])_theta.Clone();
                int off = _calc.Offset(l), next = _calc.Offset(l + 1);
                for (int i = 0; i < inputs; i++) (swapped[off + i], swapped[off + inputs + i]) = (swapped[off + inputs + i], swapped[off + i]);
                (swapped[off + n * inputs], swapped[off + n * inputs + 1]) = (swapped[off + n * inputs + 1], swapped[off + n * inputs]);
                int outs = _model.Layers[l + 1].OutputCount;
                for (int o = 0; o < outs; o++) (swapped[next + o * n], swapped[next + o * n + 1]) = (swapped[next + o * n + 1], swapped[next + o * n]);
                double[] e0 = _calc.Eta(_theta), e1 = _calc.Eta(swapped);
                double change = 0;
                for (int i = 0; i < e0.Length; i++) change = Math.Max(change, Math.Abs(e0[i] - e1[i]) / Math.Max(Math.Abs(e0[i]), 1));
                _calc.SetParameters(_theta);
                return ($"swapping hidden units 1 and 2 of layer {l + 1}", change);
            }

            return (null, null);
        }
    }
}
