using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NNLinearity.Families;
using NNLinearity.Links;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

public static partial class Glm
{
    /// <summary>Relative pivot sqrt(d_j / G_jj) below which a column of the normal equations is aliased (the Gram squares R's QR ratio, whose rounding floor is then about 1e-8).</summary>
    private const double StreamingAliasTolerance = 1e-7;

    /// <summary>
    /// Fits a GLM to data read in chunks, one pass over the data per IRLS iteration (plus the starting pass, and for a
    /// model with an intercept and an offset R's intercept-only refit), holding O(p^2) and one tile of rows per thread
    /// whatever the number of rows. The answer is R's <c>glm</c>: coefficients, standard errors, deviance, null
    /// deviance, dispersion, AIC and iterations agree with <see cref="Fit(double[,], IReadOnlyList{double}, GlmFamily, ILinkFunction?, GlmOptions?)"/>
    /// to rounding (the steps solve the normal equations by Cholesky; exactly aliased columns are found by a pivot
    /// tolerance of 1e-7 instead of R's QR), and the same bits for any chunk size and thread count.
    /// </summary>
    /// <param name="source">The rows, readable as many times as the fit needs.</param>
    /// <param name="family">The response family.</param>
    /// <param name="link">The link; the family's canonical link when null.</param>
    /// <param name="options">Intercept, starting values, control, progress and cancellation.</param>
    /// <returns>The fit, without per-row results (<see cref="GlmFit.HasRowResults"/> is false).</returns>
    /// <exception cref="ArgumentException">A row holds a value the fit refuses (named by its row), the source has no rows, or an option is out of range.</exception>
    /// <exception cref="GlmFitException">IRLS cannot find coefficients with a finite deviance.</exception>
    /// <exception cref="OperationCanceledException">The options' token was cancelled.</exception>
    public static GlmFit FitStreaming(IGlmChunkSource source, GlmFamily family, ILinkFunction? link = null, GlmStreamingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return FitStreamingCore([source], family, link, options, nameof(source));
    }

    /// <summary>
    /// Fits a GLM to data held in several partitions, each read in chunks (see <see cref="FitStreaming(IGlmChunkSource, GlmFamily, ILinkFunction?, GlmStreamingOptions?)"/>).
    /// Each pass sums every partition and merges the partitions' statistics in a fixed tree over their indices, so the
    /// fit depends on the partitions' contents and order, not on the threads.
    /// </summary>
    /// <param name="partitions">The partitions, in order; each must have the same columns, weights and offset presence.</param>
    /// <param name="family">The response family.</param>
    /// <param name="link">The link; the family's canonical link when null.</param>
    /// <param name="options">Intercept, starting values, control, progress and cancellation.</param>
    /// <returns>The fit, without per-row results.</returns>
    /// <exception cref="ArgumentException">The partitions disagree, a row holds a value the fit refuses, there are no rows, or an option is out of range.</exception>
    /// <exception cref="GlmFitException">IRLS cannot find coefficients with a finite deviance.</exception>
    /// <exception cref="OperationCanceledException">The options' token was cancelled.</exception>
    public static GlmFit FitStreaming(IReadOnlyList<IGlmChunkSource> partitions, GlmFamily family, ILinkFunction? link = null, GlmStreamingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return FitStreamingCore(partitions, family, link, options, nameof(partitions));
    }

    /// <summary>The partitioned fit in process; <paramref name="dataArgument"/> is the caller's parameter holding the data, named by refusals.</summary>
    private static GlmFit FitStreamingCore(IReadOnlyList<IGlmChunkSource> partitions, GlmFamily family, ILinkFunction? link, GlmStreamingOptions? options, string dataArgument)
    {
        if (partitions.Count == 0) throw new ArgumentException("There are no partitions: a GLM needs at least one row.", nameof(partitions));
        for (int i = 0; i < partitions.Count; i++)
        {
            if (partitions[i] is null) throw new ArgumentException($"partitions[{i}] is null.", nameof(partitions));
            if (partitions[i].Columns != partitions[0].Columns || partitions[i].HasOffset != partitions[0].HasOffset || partitions[i].HasWeights != partitions[0].HasWeights)
            {
                throw new ArgumentException($"partitions[{i}] has {partitions[i].Columns} columns (weights {partitions[i].HasWeights}, offset {partitions[i].HasOffset}) but partitions[0] has {partitions[0].Columns} (weights {partitions[0].HasWeights}, offset {partitions[0].HasOffset}).", nameof(partitions));
            }
        }

        options ??= new GlmStreamingOptions();
        if (options.MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDegreeOfParallelism, $"MaxDegreeOfParallelism is {options.MaxDegreeOfParallelism}; it must be -1 (all processors) or at least 1.");
        }

        IReadOnlyList<string>? names = options.ColumnNames ?? partitions[0].ColumnNames;
        var model = new GlmPartitionedModel(partitions[0].Columns, partitions.Count, partitions[0].HasOffset, names);
        int dop = options.MaxDegreeOfParallelism;
        Task<GlmFit> fit = FitPartitionedCoreAsync(model, (i, request, ct, rows) =>
            Task.FromResult(GlmPartitionPass.EvaluateNamed(partitions[i], request, i, dop, rows, dataArgument, ct)), family, link, options, dataArgument, partitions);
        return fit.GetAwaiter().GetResult(); // every step above completes synchronously
    }

    /// <summary>
    /// Fits a GLM whose partitions are summed elsewhere: by workers of a distributed runtime, each holding some of
    /// the partitions. For every pass the driver asks <paramref name="evaluatePartition"/> for each partition's
    /// statistics (all partitions at once), merges them in a fixed tree over the partition indices and takes the IRLS
    /// step; a worker answers with <see cref="GlmPartitionPass.Evaluate"/> on its partition. A failed evaluation may be
    /// retried by the delegate (the request is a pure function of the coefficients, so a partition may be summed
    /// again elsewhere); an exception from it ends the fit.
    /// </summary>
    /// <param name="model">The columns, partitions, offset presence and names.</param>
    /// <param name="evaluatePartition">Given a partition index, the request, a token and a sink for rows read, the partition's statistics.</param>
    /// <param name="family">The response family.</param>
    /// <param name="link">The link; the family's canonical link when null.</param>
    /// <param name="options">Intercept, starting values, control, progress and cancellation (its MaxDegreeOfParallelism is the workers' business).</param>
    /// <returns>The fit, without per-row results.</returns>
    /// <exception cref="ArgumentException">An option is out of range, the link is not available for the family, or the partitions hold no row with a positive weight.</exception>
    /// <exception cref="GlmFitException">IRLS cannot find coefficients with a finite deviance.</exception>
    public static Task<GlmFit> FitPartitionedAsync(GlmPartitionedModel model, Func<int, GlmPassRequest, CancellationToken, IProgress<long>?, Task<GlmPassStatistics>> evaluatePartition,
        GlmFamily family, ILinkFunction? link = null, GlmStreamingOptions? options = null) =>
        FitPartitionedCoreAsync(model, evaluatePartition, family, link, options, nameof(evaluatePartition), sources: null);

    private static async Task<GlmFit> FitPartitionedCoreAsync(GlmPartitionedModel model, Func<int, GlmPassRequest, CancellationToken, IProgress<long>?, Task<GlmPassStatistics>> evaluatePartition,
        GlmFamily family, ILinkFunction? link, GlmStreamingOptions? options, string dataArgument, IReadOnlyList<IGlmChunkSource>? sources)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(evaluatePartition);
        ArgumentNullException.ThrowIfNull(family);
        options ??= new GlmStreamingOptions();
        link ??= family.CanonicalLink;
        family.ValidateLink(link, nameof(link));
        CheckOptions(new GlmOptions { Epsilon = options.Epsilon, MaxIterations = options.MaxIterations, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, nameof(options));
        if (model.Columns < 0) throw new ArgumentOutOfRangeException(nameof(model), model.Columns, $"Columns is {model.Columns}; it cannot be negative.");
        if (model.Partitions < 1) throw new ArgumentOutOfRangeException(nameof(model), model.Partitions, $"Partitions is {model.Partitions}; a fit needs at least one.");
        int k = model.Columns, p = k + (options.Intercept ? 1 : 0);
        if (p == 0) throw new ArgumentException("The model has no columns: the data have none and the intercept is off.", nameof(model));
        string[] names = ColumnNames(new GlmOptions { Intercept = options.Intercept, ColumnNames = model.ColumnNames }, k);
        double[]? start = null;
        if (options.Start is not null)
        {
            if (options.Start.Count != p) throw new ArgumentException($"Start has {options.Start.Count} values but the model has {p} coefficients.", nameof(options));
            start = options.Start.ToArray();
            if (IndexOfNonFinite(start) >= 0) throw new ArgumentException("Start contains a non-finite value.", nameof(options));
        }

        var driver = new StreamingDriver(model, evaluatePartition, family, link, options, dataArgument);
        StreamingRun main = await driver.RunAsync(interceptOnly: false, start is null ? new EtaSpec(EtaKind.FamilyStart, null) : new EtaSpec(EtaKind.Linear, start), start).ConfigureAwait(false);
        double nullDeviance = main.NullDeviance;
        if (options.Intercept && model.HasOffset)
        {
            // R refits the intercept-only model with the offset, starting from the full model's fitted values.
            nullDeviance = (await driver.RunAsync(interceptOnly: true, new EtaSpec(EtaKind.FittedMeans, main.Beta), null).ConfigureAwait(false)).Deviance;
        }

        // Separation: where the data are read in this process and a fitted mean sits near the boundary its response pulls
        // it to, one more pass checks the in-memory fit's certificate row by row (Separation.Certify).
        double[]? direction = null;
        int passes = driver.Passes;
        if (sources is not null && SeparationPossible(family, link, main.Final))
        {
            direction = CertifySeparation(sources, family, link, options, main, ++passes);
        }

        return InferStreamed(main, names, family, link, nullDeviance, options.Intercept, passes, direction);
    }

    /// <summary>True when the family and link can have no maximum likelihood estimate and a fitted mean is within 1e-6 (relative, for counts) of its boundary.</summary>
    private static bool SeparationPossible(GlmFamily family, ILinkFunction link, GlmPassStatistics s) =>
        (family is BinomialFamily && link is not LogLink && s.MinBoundaryDistance < 1e-6)
        || (family is PoissonFamily && (link is LogLink || (link is PowerLink pl && pl.Lambda == 0)) && s.Rows > 0
            && s.MinBoundaryDistance < 1e-6 * Math.Max(1.0, s.SumResponse / s.Rows));

    /// <summary>
    /// <see cref="Separation.Certify"/> over streamed rows, in one sequential pass: the direction of the last step
    /// (aliased coefficients 0, unit length) must satisfy every row's sign condition with a strict inequality on a row
    /// whose mean sits at its boundary. Returns the direction, or null when a row refutes it.
    /// </summary>
    private static double[]? CertifySeparation(IReadOnlyList<IGlmChunkSource> sources, GlmFamily family, ILinkFunction link, GlmStreamingOptions options, StreamingRun run, int pass)
    {
        long read = 0;
        double[]? direction = CertifySeparation(sources, family, link, options, run, pass, ref read);
        options.Progress?.Report(new GlmStreamingProgress(pass, GlmPassPurpose.Separation, read, true)); // complete, or stopped at the row that refutes it
        return direction;
    }

    private static double[]? CertifySeparation(IReadOnlyList<IGlmChunkSource> sources, GlmFamily family, ILinkFunction link, GlmStreamingOptions options, StreamingRun run, int pass, ref long read)
    {
        bool binomial = family is BinomialFamily, intercept = options.Intercept;
        int p = run.Beta.Length;
        bool[] aliased = run.LastStep.Aliased;
        double[] d = new double[p];
        double norm = 0;
        for (int j = 0; j < p; j++)
        {
            d[j] = aliased[j] ? 0 : run.Beta[j] - run.Previous[j];
            norm += d[j] * d[j];
        }

        norm = Math.Sqrt(norm);
        if (!(norm > 0)) return null;
        for (int j = 0; j < p; j++) d[j] /= norm;

        double lo = link.MeanLowerBound, hi = link.MeanUpperBound;
        double muLo = double.IsFinite(lo) ? lo + Special.Epsilon : double.NegativeInfinity, muHi = double.IsFinite(hi) ? hi - Special.Epsilon : double.PositiveInfinity;
        double meanY = run.Final.SumResponse / run.Final.Rows;
        CancellationToken ct = options.CancellationToken;
        long strict = 0;
        foreach (IGlmChunkSource source in sources)
        {
            foreach (GlmChunk chunk in source.ReadChunks(ct))
            {
                ct.ThrowIfCancellationRequested();
                ReadOnlySpan<double> x = chunk.X.Span, y = chunk.Response.Span, w = chunk.Weights.Span, off = chunk.Offset.Span;
                int k = chunk.Columns;
                for (int i = 0; i < chunk.Rows; i++)
                {
                    if (!w.IsEmpty && w[i] <= 0) continue;
                    double a = 0, r = 0, eta = off.IsEmpty ? 0 : off[i];
                    if (intercept)
                    {
                        a = d[0];
                        r = 1;
                        eta += run.Beta[0];
                    }

                    for (int j = 0; j < k; j++)
                    {
                        double v = x[i * k + j];
                        int c = j + (intercept ? 1 : 0);
                        a += v * d[c];
                        r += v * v;
                        if (!aliased[c]) eta += v * run.Beta[c];
                    }

                    double zero = 1e-6 * Math.Sqrt(r);
                    int s = binomial ? (y[i] == 1 ? 1 : y[i] == 0 ? -1 : 0) : (y[i] == 0 ? -1 : 0);
                    double sa = s * a;
                    if (s == 0 ? Math.Abs(a) > zero : sa < -zero) return null;
                    if (s != 0 && sa > zero)
                    {
                        double mu = Math.Clamp(link.Inverse(eta), muLo, muHi);
                        bool atBoundary = binomial ? Math.Min(mu, 1 - mu) < 1e-6 : mu < 1e-6 * Math.Max(1.0, meanY);
                        if (!atBoundary) return null;
                        strict++;
                    }
                }

                read += chunk.Rows;
                options.Progress?.Report(new GlmStreamingProgress(pass, GlmPassPurpose.Separation, read, false));
            }
        }

        return strict > 0 ? d : null;
    }

    /// <summary>The outcome of one streamed IRLS run.</summary>
    private sealed class StreamingRun
    {
        public required double[] Beta { get; init; }
        public required double[] Previous { get; init; } // the coefficients before the last step (the separation direction is Beta - Previous)
        public required IrlsStep LastStep { get; init; }
        public required GlmPassStatistics Final { get; init; }
        public required GlmPassStatistics Start { get; init; }
        public required double Deviance { get; init; }
        public required double NullDeviance { get; init; }
        public required int Iterations { get; init; }
        public required bool Converged { get; init; }
        public required bool Boundary { get; init; }
        public required List<int> HalvedForDivergence { get; init; }
        public required List<int> HalvedOutOfBounds { get; init; }
        public required bool NearCollinear { get; init; }
    }

    /// <summary>R's glm.fit loop over passes of partition statistics (the in-memory engine's loop, step for step).</summary>
    private sealed class StreamingDriver(GlmPartitionedModel model, Func<int, GlmPassRequest, CancellationToken, IProgress<long>?, Task<GlmPassStatistics>> evaluate,
        GlmFamily family, ILinkFunction link, GlmStreamingOptions options, string dataArgument)
    {
        public int Passes { get; private set; }

        private bool _nearCollinear;

        private async Task<GlmPassStatistics> PassAsync(GlmPassPurpose purpose, EtaSpec current, EtaSpec? previous, bool interceptOnly, bool withGram, NullMode nullMode, double nullMean)
        {
            Passes++;
            int pass = Passes;
            bool pearson = family.EstimatesDispersion && previous is not null;
            var request = new GlmPassRequest(family, link, model.Columns, options.Intercept, pass, current, previous, interceptOnly, withGram, pearson,
                aic: !interceptOnly && purpose != GlmPassPurpose.Start, nullMode, nullMean);
            CancellationToken ct = options.CancellationToken;
            IProgress<GlmStreamingProgress>? progress = options.Progress;
            long[] read = new long[model.Partitions];
            var tasks = new Task<GlmPassStatistics>[model.Partitions];
            for (int i = 0; i < tasks.Length; i++)
            {
                int index = i;
                IProgress<long>? rows = progress is null ? null : new SyncProgress(r =>
                {
                    long total;
                    lock (read)
                    {
                        read[index] = r;
                        total = read.Sum();
                    }

                    progress.Report(new GlmStreamingProgress(pass, purpose, total, false));
                });
                ct.ThrowIfCancellationRequested();
                tasks[i] = evaluate(index, request, ct, rows);
            }

            GlmPassStatistics[] parts = await Task.WhenAll(tasks).ConfigureAwait(false);
            GlmPassStatistics merged = MergeInOrder(parts, request);
            progress?.Report(new GlmStreamingProgress(pass, purpose, merged.Rows, true));
            return merged;
        }

        /// <summary>The partitions' statistics merged pairwise, as a binary counter over their indices: a fixed tree.</summary>
        private static GlmPassStatistics MergeInOrder(GlmPassStatistics[] parts, GlmPassRequest request)
        {
            var stack = new List<(int Level, GlmPassStatistics Stats)>();
            foreach (GlmPassStatistics part in parts)
            {
                if (part is null) throw new InvalidOperationException("A partition's evaluation returned no statistics.");
                if (part.Coefficients != request.Coefficients || part.HasGram != request.WithGram)
                {
                    throw new InvalidOperationException($"A partition returned statistics of {part.Coefficients} coefficients (Gram {part.HasGram}) for a pass of {request.Coefficients} (Gram {request.WithGram}).");
                }

                GlmPassStatistics node = GlmPassStatistics.Merge(part, new GlmPassStatistics(part.Coefficients, part.HasGram, part.AicSums.Length));
                int level = 0;
                while (stack.Count > 0 && stack[^1].Level == level)
                {
                    GlmPassStatistics left = stack[^1].Stats;
                    stack.RemoveAt(stack.Count - 1);
                    left.Add(node);
                    node = left;
                    level++;
                }

                stack.Add((level, node));
            }

            GlmPassStatistics acc = stack[^1].Stats;
            for (int i = stack.Count - 2; i >= 0; i--)
            {
                stack[i].Stats.Add(acc);
                acc = stack[i].Stats;
            }

            return acc;
        }

        public async Task<StreamingRun> RunAsync(bool interceptOnly, EtaSpec startSpec, double[]? start)
        {
            int p = interceptOnly ? 1 : model.Columns + (options.Intercept ? 1 : 0);
            double epsilon = options.Epsilon;
            int maxIterations = options.MaxIterations;
            NullMode startNull = !interceptOnly && !options.Intercept ? NullMode.OffsetMean : NullMode.None;
            GlmPassStatistics first = await PassAsync(interceptOnly ? GlmPassPurpose.NullModel : GlmPassPurpose.Start, startSpec, null, interceptOnly, true, startNull, 0).ConfigureAwait(false);
            if (first.WeightedRows == 0)
            {
#pragma warning disable CA2208 // the public argument being described is the caller's source of rows
                throw new ArgumentException(first.Rows == 0 ? "The data have no rows: a GLM needs at least one observation." : "Every prior weight is 0: there is nothing to fit.", dataArgument);
#pragma warning restore CA2208
            }

            if (!first.Valid || !double.IsFinite(first.Deviance))
            {
                throw new GlmFitException("Cannot find valid starting values: the starting means give an invalid linear predictor or mean; supply Start or StartingMeans.");
            }

            double nullDeviance = startNull == NullMode.OffsetMean ? first.NullDeviance : double.NaN;
            NullMode iterationNull = !interceptOnly && options.Intercept && !model.HasOffset ? NullMode.ConstantMean : NullMode.None;
            double nullMean = first.SumWeightedResponse / first.SumWeights;

            double devOld = first.Deviance, lastChange = double.PositiveInfinity;
            bool converged = false, boundary = false;
            int iter;
            double[]? coefOld = start;
            double[] beta = start ?? new double[p];
            double[] previous = beta;
            EtaSpec gramSpec = startSpec;
            GlmPassStatistics gram = first, current = first;
            IrlsStep? step = null;
            List<int> divergent = [], outOfBounds = [];
            for (iter = 1; iter <= maxIterations; iter++)
            {
                previous = beta;
                step = Solve(gram, p);
                beta = (double[])step.Beta.Clone();
                bool withGram = !(lastChange < Math.Sqrt(epsilon) / 10);
                var spec = new EtaSpec(EtaKind.Linear, beta);
                NullMode nm = double.IsNaN(nullDeviance) ? iterationNull : NullMode.None;
                current = await PassAsync(GlmPassPurpose.Iteration, spec, gramSpec, interceptOnly, withGram, nm, nullMean).ConfigureAwait(false);
                if (nm != NullMode.None) nullDeviance = current.NullDeviance;
                boundary = false;
                if (!double.IsFinite(current.Deviance))
                {
                    (beta, current) = await HalveAsync(beta, coefOld, gramSpec, interceptOnly, requireValid: false, current).ConfigureAwait(false);
                    boundary = true;
                    divergent.Add(iter);
                }

                if (!current.Valid)
                {
                    (beta, current) = await HalveAsync(beta, coefOld, gramSpec, interceptOnly, requireValid: true, current).ConfigureAwait(false);
                    boundary = true;
                    outOfBounds.Add(iter);
                }

                double dev = current.Deviance;
                double change = Math.Abs(dev - devOld) / (Math.Abs(dev) + 0.1);
                if (change < epsilon)
                {
                    converged = true;
                    break;
                }

                if (!current.HasGram)
                {
                    // The speculation missed: the next step needs this pass's Gram.
                    current = await PassAsync(GlmPassPurpose.GramRepeat, new EtaSpec(EtaKind.Linear, beta), gramSpec, interceptOnly, true, NullMode.None, 0).ConfigureAwait(false);
                }

                lastChange = change;
                devOld = dev;
                coefOld = beta;
                gram = current;
                gramSpec = new EtaSpec(EtaKind.Linear, beta);
            }

            if (iter > maxIterations) iter = maxIterations;
            return new StreamingRun
            {
                Beta = beta,
                Previous = previous,
                LastStep = step!,
                Final = current,
                Start = first,
                Deviance = current.Deviance,
                NullDeviance = nullDeviance,
                Iterations = iter,
                Converged = converged,
                Boundary = boundary,
                HalvedForDivergence = divergent,
                HalvedOutOfBounds = outOfBounds,
                NearCollinear = _nearCollinear,
            };
        }

        private async Task<(double[] Beta, GlmPassStatistics Stats)> HalveAsync(double[] beta, double[]? coefOld, EtaSpec gramSpec, bool interceptOnly, bool requireValid, GlmPassStatistics current)
        {
            if (coefOld is null)
            {
                throw new GlmFitException("No valid set of coefficients has been found: the first step leaves the valid region; supply Start or StartingMeans.");
            }

            int ii = 1;
            while (requireValid ? !current.Valid : !double.IsFinite(current.Deviance))
            {
                if (ii > options.MaxIterations)
                {
                    throw new GlmFitException("Step-halving cannot bring the coefficients back to a finite deviance and valid means.");
                }

                ii++;
                for (int j = 0; j < beta.Length; j++) beta[j] = 0.5 * (beta[j] + coefOld[j]);
                current = await PassAsync(GlmPassPurpose.StepHalving, new EtaSpec(EtaKind.Linear, (double[])beta.Clone()), gramSpec, interceptOnly, true, NullMode.None, 0).ConfigureAwait(false);
            }

            return (beta, current);
        }

        /// <summary>The step from the merged normal equations: Cholesky as the in-memory engine, with columns aliased in order below the pivot tolerance.</summary>
        private IrlsStep Solve(GlmPassStatistics s, int p)
        {
            int pp = s.PaddedColumns;
            double[,] g = new double[p, p];
            double[] rhs = new double[p];
            for (int j = 0; j < p; j++)
            {
                for (int l = 0; l <= j; l++)
                {
                    g[j, l] = s.Gram[l * pp + j];
                    g[l, j] = g[j, l];
                }

                rhs[j] = s.Gram[j * pp + p];
            }

            Cholesky? chol = Cholesky.TryFactor(g);
            if (chol is not null && chol.MinRelativePivot >= StreamingAliasTolerance)
            {
                _nearCollinear |= chol.MinRelativePivot < 1e-4;
                return new IrlsStep { Beta = chol.Solve(rhs), Rank = p, Aliased = new bool[p], UnscaledCovariance = chol.Inverse, UsedQr = false };
            }

            // Columns in order: a column whose part not explained by the kept columns before it is below the tolerance is aliased (R keeps the earlier column).
            bool[] aliased = new bool[p];
            var kept = new List<int>();
            for (int j = 0; j < p; j++)
            {
                kept.Add(j);
                double[,] sub = Sub(g, kept);
                Cholesky? c = Cholesky.TryFactor(sub);
                if (c is null || c.MinRelativePivot < StreamingAliasTolerance)
                {
                    kept.RemoveAt(kept.Count - 1);
                    aliased[j] = true;
                }
            }

            double[] subRhs = kept.Select(j => rhs[j]).ToArray();
            Cholesky kc = Cholesky.TryFactor(Sub(g, kept)) ?? throw new GlmFitException("The weighted normal equations have no positive pivot: every column is aliased.");
            _nearCollinear |= kc.MinRelativePivot < 1e-4;
            double[] subBeta = kc.Solve(subRhs);
            double[] beta = new double[p];
            for (int a = 0; a < kept.Count; a++) beta[kept[a]] = subBeta[a];
            int[] keptIndex = kept.ToArray();
            return new IrlsStep
            {
                Beta = beta,
                Rank = keptIndex.Length,
                Aliased = aliased,
                UnscaledCovariance = () =>
                {
                    double[,] inv = kc.Inverse();
                    double[,] cov = new double[p, p];
                    for (int i = 0; i < p; i++)
                    {
                        for (int j = 0; j < p; j++) cov[i, j] = double.NaN;
                    }

                    for (int a = 0; a < keptIndex.Length; a++)
                    {
                        for (int b = 0; b < keptIndex.Length; b++) cov[keptIndex[a], keptIndex[b]] = inv[a, b];
                    }

                    return cov;
                },
                UsedQr = false,
            };
        }

        private static double[,] Sub(double[,] g, List<int> kept)
        {
            double[,] sub = new double[kept.Count, kept.Count];
            for (int a = 0; a < kept.Count; a++)
            {
                for (int b = 0; b < kept.Count; b++) sub[a, b] = g[kept[a], kept[b]];
            }

            return sub;
        }
    }

    /// <summary>Progress that calls back on the reporting thread (no synchronisation context hop).</summary>
    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    private static GlmFit InferStreamed(StreamingRun r, string[] names, GlmFamily family, ILinkFunction link, double nullDeviance, bool intercept, int passes, double[]? direction)
    {
        int p = names.Length;
        GlmPassStatistics s = r.Final;
        IrlsStep step = r.LastStep;
        if (s.Rows > int.MaxValue) throw new NotSupportedException($"The data have {s.Rows} rows; a fit reports counts up to {int.MaxValue}.");
        int n = (int)s.Rows, nOk = (int)s.WeightedRows;
        int rank = step.Rank;
        int dfResidual = nOk - rank;
        var diagnostics = new List<GlmDiagnostic>();
        double dispersion = 1.0;
        if (family.EstimatesDispersion)
        {
            if (dfResidual > 0)
            {
                dispersion = s.Pearson / dfResidual;
            }
            else
            {
                dispersion = double.NaN;
                diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NoResidualDegreesOfFreedom,
                    "No residual degrees of freedom: the dispersion, standard errors and tests are not available (NaN)."));
            }
        }

        double[,] unscaled = step.UnscaledCovariance();
        double[,] cov = new double[p, p];
        double[] coef = new double[p], se = new double[p], stat = new double[p], pval = new double[p];
        bool estimated = family.EstimatesDispersion;
        for (int j = 0; j < p; j++)
        {
            for (int l = 0; l < p; l++) cov[j, l] = dispersion * unscaled[j, l];
            coef[j] = step.Aliased[j] ? double.NaN : r.Beta[j];
            se[j] = Math.Sqrt(cov[j, j]);
            stat[j] = coef[j] / se[j];
            pval[j] = estimated ? Distributions.StudentTTwoSided(stat[j], dfResidual) : 2 * Special.NormalCdf(-Math.Abs(stat[j]));
        }

        double? aicTerm = family.AicSumCount > 0 ? family.AicFromSums(s.AicSums, r.Deviance) : null;
        double? aic = aicTerm + 2 * rank;
        int dfModel = rank + family.ExtraParameters;
        double? logLik = aic is double a ? dfModel - a / 2 : null;
        double? bic = logLik is double ll ? -2 * ll + Math.Log(n) * dfModel : null;

        if (!r.Converged) diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NotConverged, $"IRLS did not converge in {r.Iterations} iterations."));
        if (r.HalvedForDivergence.Count > 0)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.StepHalving,
                $"Step size truncated due to divergence at iteration(s) {string.Join(", ", r.HalvedForDivergence)}: step-halving brought the deviance back to a finite value."));
        }

        if (r.HalvedOutOfBounds.Count > 0)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.StepHalving,
                $"Step size truncated: out of bounds at iteration(s) {string.Join(", ", r.HalvedOutOfBounds)}: step-halving brought eta and mu back inside their valid range."));
        }

        if (family is PoissonFamily and not QuasiPoissonFamily or NegativeBinomialFamily && s.FirstNonIntegerRow >= 0)
        {
            string where = $"row {s.FirstNonIntegerRow.ToString(CultureInfo.InvariantCulture)} of partition {s.FirstNonIntegerPartition.ToString(CultureInfo.InvariantCulture)}, y = {s.FirstNonIntegerValue.ToString(CultureInfo.InvariantCulture)}";
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NonIntegerCounts, family is PoissonFamily
                ? $"Non-integer counts in a Poisson GLM ({where}): the Poisson likelihood is 0 there, so AIC and BIC are infinite (as in R); consider quasipoisson."
                : $"Non-integer counts in a negative binomial GLM ({where}): the AIC uses the continuous extension lgamma(y + 1), as MASS does."));
        }

        if (family.EstimatesDispersion && dfResidual > 0)
        {
            double m = s.WeightedRows, mean = s.SumMeans / m;
            double scale = family is GaussianFamily
                ? mean * mean + (m > 1 ? Math.Max(0, s.SumSquaredMeans - m * mean * mean) / (m - 1) : 0)
                : s.SumScaledMeans / m;
            if (dispersion < 1e-30 * scale || dispersion == 0)
            {
                string what = s.ResponseConstant ? $"the response is constant ({s.FirstResponse.ToString(CultureInfo.InvariantCulture)})" : "the columns reproduce the response exactly";
                diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.PerfectFit,
                    $"Essentially perfect fit: {what}; the dispersion {dispersion.ToString("G3", CultureInfo.InvariantCulture)} is rounding, so standard errors, test statistics and p-values are unreliable."));
            }
        }

        if (r.Boundary) diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.Boundary, "The algorithm stopped at a boundary value (step-halving was needed)."));
        if (family is BinomialFamily)
        {
            if (s.AtBoundary > 0)
            {
                diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.FittedProbabilitiesZeroOrOne,
                    $"Fitted probabilities numerically 0 or 1 occurred ({s.AtBoundary} rows): the data are (quasi-)completely separated and some coefficients diverge."));
            }

            if (s.NonIntegerSuccesses > 0) diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NonIntegerSuccesses, "Non-integer numbers of successes (weights x y) in a binomial GLM."));
        }

        if (family is PoissonFamily && s.AtBoundary > 0)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.FittedRatesZero, "Fitted rates numerically 0 occurred."));
        }

        if (r.NearCollinear)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NearCollinearNormalEquations,
                "Near-collinear columns: a column's part not explained by the columns before it is below 1e-4 of its weighted norm, where the normal equations of a streamed fit keep fewer digits than R's QR (about 8 fewer at 1e-4)."));
        }

        if (direction is not null)
        {
            string diverging = string.Join(", ", names.Where((_, j) => Math.Abs(direction[j]) > 1e-3));
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.Separation, family is BinomialFamily
                ? $"The maximum likelihood estimate does not exist: the data are (quasi-)completely separated; coefficients diverge: {diverging}."
                : $"The maximum likelihood estimate does not exist: zero counts lie on a face of the design; coefficients diverge: {diverging}."));
        }

        var overflow = new List<string>();
        for (int j = 0; j < p; j++)
        {
            if (step.Aliased[j] || (dispersion is double.NaN && family.EstimatesDispersion)) continue;
            if (!double.IsFinite(coef[j])) overflow.Add($"the estimate of {names[j]} is {coef[j].ToString(CultureInfo.InvariantCulture)}");
            else if (!double.IsFinite(se[j])) overflow.Add($"the standard error of {names[j]} is {se[j].ToString(CultureInfo.InvariantCulture)}");
            else if (double.IsNaN(stat[j]) || double.IsNaN(pval[j])) overflow.Add($"the test of {names[j]} is NaN");
        }

        if (!double.IsFinite(r.Deviance)) overflow.Add($"the deviance is {r.Deviance.ToString(CultureInfo.InvariantCulture)}");
        if (!double.IsFinite(nullDeviance)) overflow.Add($"the null deviance is {nullDeviance.ToString(CultureInfo.InvariantCulture)}");
        if (aic is double aicValue && !double.IsFinite(aicValue) && !diagnostics.Exists(d => d.Kind == GlmDiagnosticKind.NonIntegerCounts))
        {
            overflow.Add($"the AIC is {aicValue.ToString(CultureInfo.InvariantCulture)}");
        }

        if (overflow.Count > 0)
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NonFiniteResult,
                $"Results beyond double's range: {string.Join("; ", overflow)}. The columns or the response are scaled too far from 1 for these quantities; rescale them."));
        }

        if (rank < p)
        {
            string aliasedNames = string.Join(", ", names.Where((_, j) => step.Aliased[j]));
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.AliasedColumns, $"{p - rank} coefficient(s) not defined because of singularities: {aliasedNames}."));
        }

        double lo = link.MeanLowerBound, hi = link.MeanUpperBound;
        double muLo = double.IsFinite(lo) ? lo + Special.Epsilon : double.NegativeInfinity, muHi = double.IsFinite(hi) ? hi - Special.Epsilon : double.PositiveInfinity;
        bool floor = double.IsFinite(lo) || double.IsFinite(hi);
        var fit = new GlmFit
        {
            Family = family,
            Link = link,
            CoefficientNames = names,
            Coefficients = coef,
            StandardErrors = se,
            Statistics = stat,
            PValues = pval,
            TestStatistic = estimated ? GlmTestStatistic.T : GlmTestStatistic.Z,
            Covariance = cov,
            UnscaledCovariance = unscaled,
            Aliased = step.Aliased,
            Deviance = r.Deviance,
            NullDeviance = nullDeviance,
            ResidualDegreesOfFreedom = dfResidual,
            NullDegreesOfFreedom = nOk - (intercept ? 1 : 0),
            Rank = rank,
            Dispersion = dispersion,
            Aic = aic,
            Bic = bic,
            LogLikelihood = logLik,
            Iterations = r.Iterations,
            Converged = r.Converged,
            Boundary = r.Boundary,
            HasIntercept = intercept,
            Diagnostics = diagnostics,
            RowCount = n,
            FittedValues = null!,
            LinearPredictors = null!,
            PriorWeights = null!,
            WorkingWeights = null!,
            Response = null!,
            SolvedByQr = false,
            DivergenceDirection = direction,
            FittingDerivative = eta =>
            {
                double d = link.InverseDerivative(eta);
                if (floor && Math.Abs(d) < Special.Epsilon) d = double.CopySign(Special.Epsilon, d);
                return d;
            },
            FittingMean = eta => Math.Clamp(link.Inverse(eta), muLo, muHi),
            DataPasses = passes,
        };
        fit.DataFingerprint = s.Fingerprint;
        return fit;
    }
}

/// <summary>The shape of partitioned data for <see cref="Glm.FitPartitionedAsync"/>: what the driver must know without reading it.</summary>
/// <param name="Columns">Number of predictor columns in every partition.</param>
/// <param name="Partitions">Number of partitions.</param>
/// <param name="HasOffset">True when the partitions carry an offset (R then refits the intercept-only model for the null deviance).</param>
/// <param name="ColumnNames">The predictors' names, or null for x1, x2, ...</param>
/// <remarks>Thread safety: immutable.</remarks>
public sealed record GlmPartitionedModel(int Columns, int Partitions, bool HasOffset, IReadOnlyList<string>? ColumnNames = null);
