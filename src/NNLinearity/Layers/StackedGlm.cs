using System;
using System.Buffers;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Numerics;
using System.Text;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using NNLinearity.Data;
using NNLinearity.Families;
using NNLinearity.Formulas;
using NNLinearity.Kernels;
using NNLinearity.Links;

namespace NNLinearity.Layers;

/// <summary>One layer of a stack to be created: its number of units and its link (activation).</summary>
/// <remarks>Thread safety: an immutable value; safe to share across threads.</remarks>
/// <param name="Units">Number of outputs of the layer.</param>
/// <param name="Link">Its link: any <see cref="ILinkFunction"/>, including <see cref="TanhLink"/>, <see cref="SoftplusLink"/>, <see cref="ReluLink"/> and <see cref="LeakyReluLink"/>.</param>
public readonly record struct LayerSpec(int Units, ILinkFunction Link);

/// <summary>Creates <see cref="StackedGlm{T}"/> models.</summary>
/// <remarks>Thread safety: stateless factory methods; safe from any thread.</remarks>
public static class StackedGlm
{
    /// <summary>
    /// Creates a stack of <see cref="GlmLayer{T}"/>s with a response family on the last, initialised from a seed:
    /// Glorot-uniform weights (He-uniform before ReLU and leaky ReLU), zero biases.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="inputs">Number of inputs.</param>
    /// <param name="layers">The layers, first to last; the last one's link is the output link.</param>
    /// <param name="family">The response family on every output.</param>
    /// <param name="seed">Initialisation seed.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException">No layers, a non-positive width, or a link the family does not accept on the output.</exception>
    public static StackedGlm<T> Create<T>(int inputs, IReadOnlyList<LayerSpec> layers, GlmFamily family, int seed = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(family);
        var model = new StackedGlm<T>(Build<T>(inputs, layers), family);
        model.Initialize(seed);
        return model;
    }

    /// <summary>
    /// Creates a stack whose inputs come from a formula on a table (see <see cref="TableEncoding"/>): the formula's model
    /// matrix without its intercept, factors one-hot, numeric columns standardised; the coding is learned from
    /// <paramref name="data"/> and kept in the model and its file, so <c>Fit</c> and <c>Predict</c> take tables.
    /// </summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="formula">An R formula with a response, for example <c>"y ~ x1 + log(x2) + f"</c>.</param>
    /// <param name="data">The training table (its rows fix the levels and the standardisation).</param>
    /// <param name="layers">The layers, first to last; the last one's link is the output link.</param>
    /// <param name="family">The response family on the output.</param>
    /// <param name="seed">Initialisation seed.</param>
    /// <param name="frame">Prior weights and offset columns (an offset in the formula counts too) and missing values; contrasts do not apply (factors are one-hot).</param>
    /// <returns>The model.</returns>
    /// <exception cref="FormulaSyntaxException">The formula does not parse.</exception>
    /// <exception cref="ArgumentException">No response, an offset, a column the table lacks, or as <see cref="Create{T}(int, IReadOnlyList{LayerSpec}, GlmFamily, int)"/>.</exception>
    public static StackedGlm<T> Create<T>(string formula, DataTable data, IReadOnlyList<LayerSpec> layers, GlmFamily family, int seed = 0, ModelFrameOptions? frame = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TableEncoding encoding = TableEncoding.Learn(formula, data, multinomial: false, frame);
        StackedGlm<T> model = Create<T>(encoding.InputNames.Count, layers, family, seed);
        model.Encoding = encoding;
        return model;
    }

    /// <summary>Creates a multinomial classifier whose inputs come from a formula on a table; the response's levels are the classes.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="formula">An R formula whose response is a factor, character or logical column.</param>
    /// <param name="data">The training table.</param>
    /// <param name="hidden">Hidden layers (may be empty: multinomial logistic regression).</param>
    /// <param name="seed">Initialisation seed.</param>
    /// <returns>The model.</returns>
    public static StackedGlm<T> CreateMultinomial<T>(string formula, DataTable data, IReadOnlyList<LayerSpec> hidden, int seed = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        TableEncoding encoding = TableEncoding.Learn(formula, data, multinomial: true, frame: null);
        StackedGlm<T> model = CreateMultinomial<T>(encoding.InputNames.Count, hidden, encoding.ResponseLevels!.Count, seed);
        model.Encoding = encoding;
        return model;
    }

    /// <summary>Creates a multinomial (softmax) classifier: the hidden layers, then an identity layer with one output per class.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="inputs">Number of inputs.</param>
    /// <param name="hidden">Hidden layers (may be empty: then the model is multinomial logistic regression).</param>
    /// <param name="classes">Number of classes (at least 2).</param>
    /// <param name="seed">Initialisation seed.</param>
    /// <returns>The model.</returns>
    public static StackedGlm<T> CreateMultinomial<T>(int inputs, IReadOnlyList<LayerSpec> hidden, int classes, int seed = 0)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, "A multinomial model needs at least 2 classes.");
        var specs = hidden.Append(new LayerSpec(classes, new IdentityLink())).ToArray();
        var model = new StackedGlm<T>(Build<T>(inputs, specs), null);
        model.Initialize(seed);
        return model;
    }

    /// <summary>Builds a stack from existing layers (their parameters are copied).</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="layers">The layers, first to last; widths must chain.</param>
    /// <param name="family">The response family on the output.</param>
    /// <returns>The model.</returns>
    public static StackedGlm<T> FromLayers<T>(IReadOnlyList<GlmLayer<T>> layers, GlmFamily family) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(family);
        var copies = new GlmLayer<T>[layers.Count];
        for (int l = 0; l < copies.Length; l++)
        {
            GlmLayer<T> src = layers[l] ?? throw new ArgumentException($"layers[{l}] is null.", nameof(layers));
            copies[l] = GlmLayer.Create<T>(src.InputCount, src.OutputCount, src.Link);
            copies[l].SetParameters(src.Parameters);
        }

        return new StackedGlm<T>(copies, family);
    }

    internal static StackedGlm<T> FromLayersMultinomial<T>(IReadOnlyList<GlmLayer<T>> layers) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var copies = layers.Select(src =>
        {
            GlmLayer<T> c = GlmLayer.Create<T>(src.InputCount, src.OutputCount, src.Link);
            c.SetParameters(src.Parameters);
            return c;
        }).ToArray();
        return new StackedGlm<T>(copies, null);
    }

    /// <summary>One-hot rows [labels, classes] from class indices.</summary>
    /// <typeparam name="T">float or double.</typeparam>
    /// <param name="labels">Class of each row, in [0, classes).</param>
    /// <param name="classes">Number of classes.</param>
    /// <returns>The one-hot matrix.</returns>
    public static T[,] OneHot<T>(IReadOnlyList<int> labels, int classes) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(labels);
        var y = new T[labels.Count, classes];
        for (int i = 0; i < labels.Count; i++)
        {
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"labels[{i}] is not a class in [0, {classes}).");
            y[i, labels[i]] = T.One;
        }

        return y;
    }

    private static GlmLayer<T>[] Build<T>(int inputs, IReadOnlyList<LayerSpec> layers) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (inputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, $"inputs is {inputs}; a model needs at least one input.");
        if (layers.Count == 0) throw new ArgumentException("A stack needs at least one layer.", nameof(layers));
        var built = new GlmLayer<T>[layers.Count];
        int width = inputs;
        for (int l = 0; l < built.Length; l++)
        {
            if (layers[l].Link is null) throw new ArgumentException($"layers[{l}] has no link.", nameof(layers));
            if (layers[l].Units < 1) throw new ArgumentException($"layers[{l}].Units is {layers[l].Units}; a layer needs at least one unit.", nameof(layers));
            try
            {
                built[l] = GlmLayer.Create<T>(width, layers[l].Units, layers[l].Link);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"layers[{l}]: {e.Message}", nameof(layers), e);
            }

            width = layers[l].Units;
        }

        return built;
    }
}

/// <summary>
/// GLM layers in sequence with a response family on the last: a feed-forward network whose loss is half the family's
/// mean deviance (binomial + logit: cross-entropy; Gaussian + identity: half the squared error; Poisson + log: the
/// Poisson deviance), or a softmax output for k classes.
/// </summary>
/// <remarks>
/// <para>
/// Parameters live in one flat vector: layer by layer, each layer's weights row-major then its bias. Training, the
/// kernels and therefore the trained model are deterministic: the same seed, data and options give a bit-identical
/// model for any thread count.
/// </para>
/// <para>
/// Thread safety: a model is a value that any number of threads may read at once. Prediction, losses, gradients,
/// deviances, saving, conversion and linearity analysis take their scratch memory per call and never write to the
/// model, so concurrent calls give the bits of sequential ones. Training and the parameter setters (here and on
/// <see cref="Layers"/>) are the only writers: one runs at a time, and only while no other thread reads. A
/// conflicting call is refused at once with an <see cref="InvalidOperationException"/> (nothing waits, nothing is
/// half-written); to train while serving predictions, train a <see cref="Clone"/>.
/// </para>
/// </remarks>
/// <typeparam name="T">float or double.</typeparam>
public sealed class StackedGlm<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly GlmLayer<T>[] _layers;
    private readonly int[] _offsets;
    private readonly T[] _theta;
    private readonly OutputLoss _loss;
    private readonly UsageGuard _guard = new();
    private Workspace? _spare;

    internal StackedGlm(GlmLayer<T>[] layers, GlmFamily? family)
    {
        for (int l = 1; l < layers.Length; l++)
        {
            if (layers[l].InputCount != layers[l - 1].OutputCount)
            {
                throw new ArgumentException($"Layer {l} has {layers[l].InputCount} inputs but layer {l - 1} has {layers[l - 1].OutputCount} outputs.", nameof(layers));
            }
        }

        ILinkFunction outputLink = layers[^1].Link;
        if (family is not null)
        {
            family.ValidateLink(outputLink, nameof(family));
            _loss = new FamilyLoss(family, outputLink);
        }
        else
        {
            if (outputLink is not IdentityLink) throw new ArgumentException("A multinomial output layer must have the identity link (softmax is applied by the family).", nameof(layers));
            _loss = new SoftmaxLoss();
        }

        _layers = layers;
        Family = family;
        _offsets = new int[layers.Length + 1];
        long total = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            total += layers[l].ParameterCount;
            if (total > Array.MaxLength)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"The layers have {total} parameters by layer {l}; one parameter vector holds at most {Array.MaxLength}."), nameof(layers));
            }

            _offsets[l + 1] = (int)total;
        }

        _theta = new T[_offsets[^1]];
        for (int l = 0; l < layers.Length; l++) layers[l].Bind(_theta, _offsets[l], _guard);
    }

    /// <summary>Number of inputs.</summary>
    public int InputCount => _layers[0].InputCount;

    /// <summary>Number of outputs (classes for a multinomial model).</summary>
    public int OutputCount => _layers[^1].OutputCount;

    /// <summary>The layers, first to last. Setting a layer's parameters changes the model.</summary>
    public IReadOnlyList<GlmLayer<T>> Layers => _layers;

    /// <summary>The response family on the output, or null for a multinomial (softmax) model.</summary>
    public GlmFamily? Family { get; }

    /// <summary>True for a softmax output over <see cref="OutputCount"/> classes.</summary>
    public bool IsMultinomial => Family is null;

    /// <summary>The output layer's link.</summary>
    public ILinkFunction OutputLink => _layers[^1].Link;

    /// <summary>Length of the flat parameter vector.</summary>
    public int ParameterCount => _theta.Length;

    /// <summary>For a model created from a formula: how tables become its inputs (and responses); null otherwise.</summary>
    public TableEncoding? Encoding { get; internal set; }

    /// <summary>Trains a model created from a formula on a table: rows with a missing value are left out.</summary>
    /// <param name="data">The table, with the formula's response and variables.</param>
    /// <param name="options">Optimiser and settings (Adam with defaults when null).</param>
    /// <returns>What training did.</returns>
    /// <exception cref="InvalidOperationException">The model was not created from a formula.</exception>
    /// <exception cref="ArgumentException">A missing column, a level the model did not see, or invalid responses.</exception>
    public TrainingResult Fit(DataTable data, TrainingOptions? options = null)
    {
        TableEncoding e = Encoding ?? throw new InvalidOperationException("This model was not created from a formula; train it on matrices.");
        (T[] x, T[]? y, double[]? w, T[]? offset, int rows) = e.Encode<T>(data, withResponse: true, OutputCount);
        return Fit(x, y!, rows, w, offset, options);
    }

    /// <summary>Predicts the rows of a table for a model created from a formula (coded as the training table was).</summary>
    /// <param name="data">The table, with the formula's variables (the response is not needed).</param>
    /// <returns>eta and mu [rows, outputs], one row per table row.</returns>
    /// <exception cref="InvalidOperationException">The model was not created from a formula.</exception>
    /// <exception cref="ArgumentException">A missing column, a level the model did not see, or a row with a missing value (named).</exception>
    public Prediction<T> Predict(DataTable data)
    {
        TableEncoding e = Encoding ?? throw new InvalidOperationException("This model was not created from a formula; predict from a matrix.");
        (T[] x, _, _, T[]? offset, int rows) = e.Encode<T>(data, withResponse: false, OutputCount);
        return Predict(x, rows, offset);
    }

    internal OutputLoss OutputLoss => _loss;

    internal int ParameterOffset(int layer) => _offsets[layer];

    /// <summary>A copy of the flat parameter vector.</summary>
    /// <returns>Layer by layer: weights row-major, then bias.</returns>
    /// <exception cref="InvalidOperationException">Another thread is training the model or setting its parameters.</exception>
    public T[] GetParameters()
    {
        using UsageGuard.ReadScope reading = _guard.Read();
        return (T[])_theta.Clone();
    }

    /// <summary>Replaces every parameter.</summary>
    /// <param name="parameters">The flat vector (<see cref="ParameterCount"/> finite values).</param>
    /// <exception cref="ArgumentException">Wrong length or a non-finite value.</exception>
    /// <exception cref="InvalidOperationException">Another thread is reading or training the model.</exception>
    public void SetParameters(ReadOnlySpan<T> parameters)
    {
        if (parameters.Length != _theta.Length) throw new ArgumentException($"parameters has {parameters.Length} values; the model has {_theta.Length}.", nameof(parameters));
        for (int i = 0; i < parameters.Length; i++)
        {
            if (!T.IsFinite(parameters[i])) throw new ArgumentException($"parameters[{i}] is {parameters[i]}: parameters must be finite.", nameof(parameters));
        }

        using UsageGuard.WriteScope writing = _guard.Write();
        parameters.CopyTo(_theta);
        InvalidateLayers();
    }

    /// <summary>A deep copy (a model of its own: training it leaves this one free for readers).</summary>
    /// <returns>The copy.</returns>
    /// <exception cref="InvalidOperationException">Another thread is training the model or setting its parameters.</exception>
    public StackedGlm<T> Clone()
    {
        var layers = _layers.Select(l => GlmLayer.Create<T>(l.InputCount, l.OutputCount, l.Link)).ToArray();
        var copy = new StackedGlm<T>(layers, Family);
        using UsageGuard.ReadScope reading = _guard.Read();
        _theta.CopyTo(copy._theta);
        copy.InvalidateLayers();
        copy.Encoding = Encoding;
        return copy;
    }

    /// <summary>The last hidden layer's outputs (the output layer's inputs) for each row, in double, row-major; x itself for a one-layer model.</summary>
    internal double[] LastHiddenFeatures(ReadOnlySpan<T> x, int rows)
    {
        using UsageGuard.ReadScope reading = _guard.Read();
        if (_layers.Length == 1)
        {
            var copy = new double[x.Length];
            for (int i = 0; i < x.Length; i++) copy[i] = double.CreateTruncating(x[i]);
            return copy;
        }

        int width = _layers[^2].OutputCount, chunk = RowsPerChunk;
        var h = new double[rows * width];
        Workspace ws = RentWorkspace(Math.Min(rows, chunk));
        try
        {
            for (int start = 0; start < rows; start += chunk)
            {
                int r = Math.Min(chunk, rows - start);
                Forward(x.Slice(start * InputCount, r * InputCount), r, 0, ws);
                ReadOnlySpan<T> mu = ws.Mu[^2].AsSpan(0, r * width);
                Span<double> part = h.AsSpan(start * width, r * width);
                for (int i = 0; i < part.Length; i++) part[i] = double.CreateTruncating(mu[i]);
            }

            return h;
        }
        finally
        {
            ReturnWorkspace(ws);
        }
    }

    /// <summary>Enters as a reader for the length of an operation that reads the parameters (saving, conversion, analysis).</summary>
    internal UsageGuard.ReadScope EnterRead() => _guard.Read();

    /// <summary>Linear predictors and means of the output for each row.</summary>
    /// <param name="x">X [rows, inputs]; finite.</param>
    /// <returns>eta and mu [rows, outputs].</returns>
    public Prediction<T> Predict(T[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.GetLength(1) != InputCount && x.Length > 0) throw new ArgumentException($"x has {x.GetLength(1)} columns; the model has {InputCount} inputs.", nameof(x));
        return Predict(Matrices.AsSpan(x), x.GetLength(0));
    }

    /// <summary>Linear predictors and means of the output for each row of a MathNet matrix.</summary>
    /// <param name="x">X [rows, inputs]; finite.</param>
    /// <returns>eta and mu [rows, outputs].</returns>
    /// <exception cref="ArgumentException">A shape mismatch or a non-finite input.</exception>
    public Prediction<T> Predict(MathNet.Numerics.LinearAlgebra.Matrix<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.ColumnCount != InputCount) throw new ArgumentException($"x has {x.ColumnCount} columns; the model has {InputCount} inputs.", nameof(x));
        return Predict(x.ToRowMajorArray(), x.RowCount);
    }

    /// <summary>Linear predictors and means of the output for each row.</summary>
    /// <param name="x">X [rows, inputs], row-major; finite.</param>
    /// <param name="rows">Number of rows.</param>
    /// <returns>eta and mu [rows, outputs].</returns>
    /// <exception cref="ArgumentException">A shape mismatch or a non-finite input.</exception>
    /// <exception cref="InvalidOperationException">Another thread is training the model or setting its parameters.</exception>
    public Prediction<T> Predict(ReadOnlySpan<T> x, int rows)
    {
        CheckX(x, rows, nameof(x), RowsPerChunk, result: true);
        using UsageGuard.ReadScope reading = _guard.Read();
        return PredictCore(x, rows);
    }

    /// <summary>Linear predictors and means with an offset added to the output's linear predictor (an exposure, say).</summary>
    /// <param name="x">X [rows, inputs], row-major; finite.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="offset">[rows, outputs] values added to eta before the output's inverse link; empty for none.</param>
    /// <returns>eta (offset included) and mu [rows, outputs].</returns>
    /// <exception cref="ArgumentException">A shape mismatch or a non-finite input or offset.</exception>
    public Prediction<T> Predict(ReadOnlySpan<T> x, int rows, ReadOnlySpan<T> offset)
    {
        CheckX(x, rows, nameof(x), RowsPerChunk, result: true);
        CheckWeightsAndOffset(default, offset, rows);
        using UsageGuard.ReadScope reading = _guard.Read();
        return PredictCore(x, rows, offset);
    }

    /// <summary>Training loss without penalty with prior weights and an offset: sum w d / (2 sum w).</summary>
    /// <param name="x">X [rows, inputs], row-major; finite.</param>
    /// <param name="y">Responses [rows, outputs], row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="weights">Prior weights, one per row, finite and non-negative (empty: all 1).</param>
    /// <param name="offset">[rows, outputs] values added to the output's eta (empty: none).</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentException">A shape mismatch, a non-finite value, a negative weight, all weights 0, or a response outside the family's support.</exception>
    public double Loss(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows, ReadOnlySpan<double> weights, ReadOnlySpan<T> offset)
    {
        CheckData(x, y, rows, RowsPerChunk);
        CheckWeightsAndOffset(weights, offset, rows);
        using UsageGuard.ReadScope reading = _guard.Read();
        return FiniteLoss(ChunkedLoss(x, y, rows, 0, weights, offset));
    }

    /// <summary>The family's weighted deviance, sum w d over rows and outputs, as a GLM with prior weights and an offset reports it.</summary>
    /// <param name="x">X [rows, inputs], row-major; finite.</param>
    /// <param name="y">Responses [rows, outputs], row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="weights">Prior weights (empty: all 1).</param>
    /// <param name="offset">Offsets [rows, outputs] (empty: none).</param>
    /// <returns>The deviance.</returns>
    public double Deviance(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows, ReadOnlySpan<double> weights, ReadOnlySpan<T> offset) =>
        2.0 * (weights.IsEmpty ? rows : Sum(weights)) * Loss(x, y, rows, weights, offset);

    /// <summary>Trains the model with prior weights and an offset on the output's linear predictor (the loss is sum w d / (2 sum w)).</summary>
    /// <param name="x">X [rows, inputs], row-major; finite.</param>
    /// <param name="y">Responses [rows, outputs], row-major.</param>
    /// <param name="rows">Number of rows (at least 1).</param>
    /// <param name="weights">Prior weights, one per row, finite and non-negative (empty: all 1).</param>
    /// <param name="offset">[rows, outputs] values added to the output's eta (empty: none).</param>
    /// <param name="options">Optimiser and settings (Adam with defaults when null).</param>
    /// <returns>What training did.</returns>
    /// <exception cref="ArgumentException">As the unweighted overload, or a negative or non-finite weight, all weights 0, a non-finite offset.</exception>
    public TrainingResult Fit(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows, ReadOnlySpan<double> weights, ReadOnlySpan<T> offset, TrainingOptions? options = null)
    {
        options ??= new TrainingOptions();
        if (rows == 0) throw new ArgumentException("There are no rows to train on.", nameof(rows));
        CheckData(x, y, rows);
        CheckWeightsAndOffset(weights, offset, rows);
        Trainer.CheckOptions(options, nameof(options));
        Trainer.ValidationRows(rows, options.ValidationFraction, nameof(options));
        using UsageGuard.WriteScope training = _guard.Write();
        return new Trainer(this, options).Run(x, y, rows, weights, offset);
    }

    private void CheckWeightsAndOffset(ReadOnlySpan<double> weights, ReadOnlySpan<T> offset, int rows)
    {
        if (!weights.IsEmpty)
        {
            if (weights.Length != rows) throw new ArgumentException($"weights has {weights.Length} values; there are {rows} rows.", nameof(weights));
            for (int i = 0; i < rows; i++)
            {
                if (!(weights[i] >= 0) || double.IsInfinity(weights[i])) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"weights[{i}] is {weights[i]}: prior weights must be finite and non-negative."), nameof(weights));
            }

            if (!(Sum(weights) > 0)) throw new ArgumentException("Every prior weight is 0: there is nothing to fit.", nameof(weights));
        }

        if (!offset.IsEmpty)
        {
            if (offset.Length != (long)rows * OutputCount) throw new ArgumentException($"offset has {offset.Length} values; {rows} rows of {OutputCount} outputs need {(long)rows * OutputCount}.", nameof(offset));
            Matrices.ThrowIfNotFinite(offset, OutputCount, nameof(offset));
        }
    }

    /// <summary>The output's eta and mu for each row, computed <see cref="RowsPerChunk"/> rows at a time.</summary>
    private Prediction<T> PredictCore(ReadOnlySpan<T> x, int rows, ReadOnlySpan<T> offset = default)
    {
        int k = OutputCount, chunk = RowsPerChunk;
        var eta = new T[rows * k];
        var mu = new T[rows * k];
        Span<double> e = IsMultinomial ? new double[k] : default, m = IsMultinomial ? new double[k] : default;
        Workspace ws = RentWorkspace(Math.Min(rows, chunk));
        try
        {
            for (int start = 0; start < rows; start += chunk)
            {
                int r = Math.Min(chunk, rows - start);
                Forward(x.Slice(start * InputCount, r * InputCount), r, 0, ws, offset.IsEmpty ? default : offset.Slice(start * k, r * k));
                ReadOnlySpan<T> etaChunk = ws.Eta[^1].AsSpan(0, r * k);
                ThrowIfNotFinite(etaChunk, k, start);
                etaChunk.CopyTo(eta.AsSpan(start * k));
                if (IsMultinomial)
                {
                    for (int i = start; i < start + r; i++)
                    {
                        for (int j = 0; j < k; j++) e[j] = double.CreateTruncating(eta[i * k + j]);
                        _loss.Mean(e, m);
                        for (int j = 0; j < k; j++) mu[i * k + j] = T.CreateTruncating(m[j]);
                    }
                }
                else
                {
                    ws.Mu[^1].AsSpan(0, r * k).CopyTo(mu.AsSpan(start * k));
                }
            }
        }
        finally
        {
            ReturnWorkspace(ws);
        }

        return new Prediction<T>(rows, k, eta, mu);
    }

    /// <summary>
    /// The unpenalised loss over <paramref name="rows"/> rows, sum w d / (2 sum w), forwarding <paramref name="chunk"/>
    /// rows at a time (<see cref="RowsPerChunk"/> when 0) through <paramref name="ws"/> (the model's spare, or a new
    /// one, when null). The sum runs over the rows in order, each chunk continuing the previous total, so the bits do
    /// not depend on the chunk. NaN for no rows.
    /// </summary>
    internal double ChunkedLoss(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows, int threads, ReadOnlySpan<double> weights, ReadOnlySpan<T> offset,
        int chunk = 0, Workspace? ws = null)
    {
        if (rows == 0) return double.NaN;
        if (chunk <= 0) chunk = RowsPerChunk;
        Workspace work = ws ?? RentWorkspace(Math.Min(rows, chunk));
        try
        {
            return LossAndGradientCore(x, y, rows, default, 0, threads, withGradient: false, work, weights, offset, chunk);
        }
        finally
        {
            if (ws is null) ReturnWorkspace(work);
        }
    }

    /// <summary>Bytes of workspace a chunk of rows may take (<see cref="RowsPerChunk"/>).</summary>
    private const long ChunkBytes = 8 << 20;

    /// <summary>
    /// Rows per chunk for work over many rows (predictions, losses, gradients, hidden features): a multiple of 16 rows whose
    /// workspace takes about 8 MB at most (at least 16 rows), so that a chunk's activations stay in cache from one layer
    /// to the next and the memory a call holds does not grow with its rows. Rows are independent in the forward pass,
    /// and a chunk's buffers hold whole vectors of every layer's outputs, so chunking changes no bit.
    /// </summary>
    internal int RowsPerChunk
    {
        get
        {
            long perRow = 4L * Unsafe.SizeOf<T>() * _layers.Sum(l => (long)l.OutputCount);
            return (int)Math.Clamp(ChunkBytes / perRow / 16 * 16, 16, 1 << 20);
        }
    }

    /// <summary>Rows the model's spare workspace holds (0 when it has none): what the model keeps between calls.</summary>
    internal int SpareCapacity => Volatile.Read(ref _spare)?.Capacity ?? 0;

    /// <summary>Training loss without penalty: half the mean deviance over the rows.</summary>
    /// <param name="x">X [rows, inputs]; finite.</param>
    /// <param name="y">Responses [rows, outputs] (one-hot rows for a multinomial model).</param>
    /// <returns>The loss.</returns>
    public double Loss(T[,] x, T[,] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Loss(Matrices.AsSpan(x), Matrices.AsSpan(y), x.GetLength(0));
    }

    /// <summary>Training loss without penalty on MathNet matrices: responses [rows, outputs].</summary>
    /// <param name="x">X [rows, inputs]; finite.</param>
    /// <param name="y">Responses [rows, outputs].</param>
    /// <returns>The loss.</returns>
    public double Loss(MathNet.Numerics.LinearAlgebra.Matrix<T> x, MathNet.Numerics.LinearAlgebra.Matrix<T> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (y.RowCount != x.RowCount) throw new ArgumentException($"y has {y.RowCount} rows but x has {x.RowCount}.", nameof(y));
        return Loss(x.ToRowMajorArray(), y.ToRowMajorArray(), x.RowCount);
    }

    /// <summary>Training loss without penalty for a one-output model, with the responses as a vector.</summary>
    /// <param name="x">X [rows, inputs]; finite.</param>
    /// <param name="y">One response per row.</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentException">The model has more than one output, or the shapes disagree.</exception>
    public double Loss(T[,] x, T[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        RequireOneOutput(nameof(y));
        return Loss(Matrices.AsSpan(x), y, x.GetLength(0));
    }

    /// <summary>Training loss without penalty: half the mean deviance over the rows.</summary>
    /// <param name="x">X [rows, inputs], row-major; finite.</param>
    /// <param name="y">Responses [rows, outputs], row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentException">A shape mismatch, a non-finite input, or a response outside the family's support.</exception>
    /// <exception cref="InvalidOperationException">Another thread is training the model or setting its parameters.</exception>
    public double Loss(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows)
    {
        CheckData(x, y, rows, RowsPerChunk);
        using UsageGuard.ReadScope reading = _guard.Read();
        return FiniteLoss(ChunkedLoss(x, y, rows, 0, default, default));
    }

    /// <summary>The family's deviance summed over rows and outputs (2 rows x the unpenalised loss), as a GLM reports it.</summary>
    /// <param name="x">X [rows, inputs], row-major; finite.</param>
    /// <param name="y">Responses [rows, outputs], row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <returns>The deviance.</returns>
    public double Deviance(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows) => 2.0 * rows * Loss(x, y, rows);

    /// <summary>Loss (half the mean deviance plus the L2 penalty) and its gradient by backpropagation.</summary>
    /// <param name="x">X [rows, inputs], row-major; finite.</param>
    /// <param name="y">Responses [rows, outputs], row-major.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="gradient">Receives d loss / d parameters (<see cref="ParameterCount"/> values).</param>
    /// <param name="l2">L2 penalty lambda on the weights.</param>
    /// <returns>The loss.</returns>
    /// <exception cref="ArgumentException">A shape mismatch, a non-finite input, a response outside the family's support, or a negative or non-finite <paramref name="l2"/>.</exception>
    /// <exception cref="InvalidOperationException">Another thread is training the model or setting its parameters.</exception>
    public double LossAndGradient(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows, Span<T> gradient, double l2 = 0)
    {
        CheckData(x, y, rows, RowsPerChunk);
        if (gradient.Length != _theta.Length) throw new ArgumentException($"gradient has {gradient.Length} values; the model has {_theta.Length} parameters.", nameof(gradient));
        if (!(l2 >= 0) || double.IsInfinity(l2)) throw new ArgumentOutOfRangeException(nameof(l2), l2, "The L2 penalty must be finite and non-negative.");
        using UsageGuard.ReadScope reading = _guard.Read();
        int chunk = RowsPerChunk;
        Workspace ws = RentWorkspace(Math.Min(rows, chunk));
        try
        {
            double loss = FiniteLoss(LossAndGradientCore(x, y, rows, gradient, l2, 0, withGradient: true, ws, chunk: chunk));
            for (int i = 0; i < gradient.Length; i++)
            {
                if (!T.IsFinite(gradient[i])) throw new ArgumentException($"gradient[{i}] is {gradient[i]}: the rows of x drive the model beyond the range of {typeof(T).Name} (rescale the inputs).", nameof(x));
            }

            return loss;
        }
        finally
        {
            ReturnWorkspace(ws);
        }
    }

    /// <summary>Trains the model on the rows of x and y.</summary>
    /// <param name="x">X [rows, inputs]; finite.</param>
    /// <param name="y">Responses [rows, outputs] (one-hot rows for a multinomial model).</param>
    /// <param name="options">Optimiser and settings (Adam with defaults when null).</param>
    /// <returns>What training did.</returns>
    public TrainingResult Fit(T[,] x, T[,] y, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (y.GetLength(0) != x.GetLength(0)) throw new ArgumentException($"y has {y.GetLength(0)} rows but x has {x.GetLength(0)}.", nameof(y));
        return Fit(Matrices.AsSpan(x), Matrices.AsSpan(y), x.GetLength(0), options);
    }

    /// <summary>Trains a one-output model, with the responses as a vector (one per row).</summary>
    /// <param name="x">X [rows, inputs]; finite.</param>
    /// <param name="y">One response per row.</param>
    /// <param name="options">Optimiser and settings (Adam with defaults when null).</param>
    /// <returns>What training did.</returns>
    /// <exception cref="ArgumentException">The model has more than one output, or the shapes disagree.</exception>
    public TrainingResult Fit(T[,] x, T[] y, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        RequireOneOutput(nameof(y));
        if (y.Length != x.GetLength(0)) throw new ArgumentException($"y has {y.Length} values but x has {x.GetLength(0)} rows.", nameof(y));
        return Fit(Matrices.AsSpan(x), y, x.GetLength(0), options);
    }

    /// <summary>Trains the model on MathNet matrices: responses [rows, outputs].</summary>
    /// <param name="x">X [rows, inputs]; finite.</param>
    /// <param name="y">Responses [rows, outputs] (one-hot rows for a multinomial model).</param>
    /// <param name="options">Optimiser and settings (Adam with defaults when null).</param>
    /// <returns>What training did.</returns>
    public TrainingResult Fit(MathNet.Numerics.LinearAlgebra.Matrix<T> x, MathNet.Numerics.LinearAlgebra.Matrix<T> y, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (y.RowCount != x.RowCount) throw new ArgumentException($"y has {y.RowCount} rows but x has {x.RowCount}.", nameof(y));
        return Fit(x.ToRowMajorArray(), y.ToRowMajorArray(), x.RowCount, options);
    }

    /// <summary>Trains a one-output model on a MathNet matrix and vector.</summary>
    /// <param name="x">X [rows, inputs]; finite.</param>
    /// <param name="y">One response per row.</param>
    /// <param name="options">Optimiser and settings (Adam with defaults when null).</param>
    /// <returns>What training did.</returns>
    public TrainingResult Fit(MathNet.Numerics.LinearAlgebra.Matrix<T> x, MathNet.Numerics.LinearAlgebra.Vector<T> y, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        RequireOneOutput(nameof(y));
        if (y.Count != x.RowCount) throw new ArgumentException($"y has {y.Count} values but x has {x.RowCount} rows.", nameof(y));
        return Fit(x.ToRowMajorArray(), y.ToArray(), x.RowCount, options);
    }

    private void RequireOneOutput(string name)
    {
        if (OutputCount != 1) throw new ArgumentException($"The model has {OutputCount} outputs: give the responses as a matrix [rows, {OutputCount}].", name);
    }

    /// <summary>Trains the model on row-major data.</summary>
    /// <param name="x">X [rows, inputs], row-major; finite.</param>
    /// <param name="y">Responses [rows, outputs], row-major.</param>
    /// <param name="rows">Number of rows (at least 1).</param>
    /// <param name="options">Optimiser and settings (Adam with defaults when null).</param>
    /// <returns>What training did.</returns>
    /// <exception cref="ArgumentException">Shapes, non-finite values, responses outside the family's support, or no rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option out of range.</exception>
    /// <exception cref="TrainingCanceledException">The options' token was cancelled (the run so far is in its Result).</exception>
    /// <exception cref="InvalidOperationException">Another thread is reading or training the model.</exception>
    public TrainingResult Fit(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows, TrainingOptions? options = null)
    {
        options ??= new TrainingOptions();
        if (rows == 0) throw new ArgumentException("There are no rows to train on.", nameof(rows));
        CheckData(x, y, rows);
        Trainer.CheckOptions(options, nameof(options));
        Trainer.ValidationRows(rows, options.ValidationFraction, nameof(options));
        using UsageGuard.WriteScope training = _guard.Write();
        return new Trainer(this, options).Run(x, y, rows);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder("StackedGlm(");
        sb.Append(InputCount.ToString(CultureInfo.InvariantCulture));
        foreach (GlmLayer<T> l in _layers) sb.Append(" -> ").Append(l.OutputCount.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(l.Link.Name);
        sb.Append("; ").Append(Family?.Name ?? "multinomial").Append(')');
        return sb.ToString();
    }

    /// <summary>
    /// Finite inputs can still drive a linear predictor beyond the element type's range (inputs near float's maximum,
    /// large weights): such a result is refused rather than returned as infinities or NaN.
    /// </summary>
#pragma warning disable CA2208 // the caller's public argument is x; the message names it
    private static void ThrowIfNotFinite(ReadOnlySpan<T> eta, int outputs, int firstRow)
    {
        for (int i = 0; i < eta.Length; i++)
        {
            if (!T.IsFinite(eta[i]))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Row {firstRow + i / outputs} of x drives output {i % outputs}'s linear predictor to {eta[i]}, beyond the range of {typeof(T).Name}: rescale the inputs."), "x");
            }
        }
    }

    /// <summary>A loss that is not finite (a linear predictor beyond the element type's range) is refused, naming x.</summary>
    private static double FiniteLoss(double loss) => double.IsFinite(loss) ? loss
        : throw new ArgumentException($"The loss is {loss}: the rows of x drive the model beyond the range of {typeof(T).Name} (rescale the inputs).", "x");
#pragma warning restore CA2208

    internal void InvalidateLayers()
    {
        foreach (GlmLayer<T> l in _layers) l.Invalidate();
    }

    internal Span<T> ParameterSpan => _theta;

    /// <summary>
    /// Checks X's shape and values, and that the rows fit the buffers: all of them through the widest layer at once, or
    /// <paramref name="chunk"/> of them at a time when positive (predictions, losses and gradients); with
    /// <paramref name="result"/>, also one value per row and output in a result array.
    /// </summary>
    internal void CheckX(ReadOnlySpan<T> x, int rows, string name, int chunk = 0, bool result = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (x.Length != (long)rows * InputCount) throw new ArgumentException($"{name} has {x.Length} values; {rows} rows of {InputCount} inputs need {(long)rows * InputCount}.", name);
        int widest = _layers.Max(l => l.OutputCount);
        int most = Array.MaxLength - AlignedArray.PageBytes; // a buffer's array also holds up to a page of padding
        int buffered = chunk > 0 ? Math.Min(rows, chunk) : rows;
        if ((long)buffered * widest > most)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{buffered} rows through a layer of {widest} units need {(long)buffered * widest} values per buffer; one buffer holds at most {most}: pass fewer rows at a time."), nameof(rows));
        }

        if (result && (long)rows * OutputCount > most)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{rows} rows of {OutputCount} outputs need {(long)rows * OutputCount} values in the result; one array holds at most {most}: pass fewer rows at a time."), nameof(rows));
        }

        Matrices.ThrowIfNotFinite(x, InputCount, name);
    }

    private void CheckData(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows, int chunk = 0)
    {
        CheckX(x, rows, nameof(x), chunk);
        if (y.Length != (long)rows * OutputCount) throw new ArgumentException($"y has {y.Length} values; {rows} rows of {OutputCount} outputs need {(long)rows * OutputCount}.", nameof(y));
        _loss.ValidateResponses(y, rows, OutputCount, nameof(y));
    }

    internal void Initialize(int seed)
    {
        var rng = new Random(seed);
        foreach (GlmLayer<T> layer in _layers)
        {
            int fanIn = layer.InputCount, fanOut = layer.OutputCount;
            bool rectifier = layer.Link is ReluLink or LeakyReluLink;
            double limit = rectifier ? Math.Sqrt(6.0 / fanIn) : Math.Sqrt(6.0 / (fanIn + fanOut));
            var w = new T[fanIn * fanOut];
            for (int i = 0; i < w.Length; i++) w[i] = T.CreateTruncating((2 * rng.NextDouble() - 1) * limit);
            layer.SetWeights(w);
            layer.SetBias(new T[fanOut]);
        }
    }

    /// <summary>A workspace of at least <paramref name="rows"/> rows: the model's spare one when it is free and large enough.</summary>
    private Workspace RentWorkspace(int rows)
    {
        Workspace? w = Interlocked.Exchange(ref _spare, null);
        return w is not null && w.Capacity >= rows ? w : new Workspace(_layers, rows);
    }

    /// <summary>Keeps a workspace as the spare (the larger of it and one returned at the same time).</summary>
    private void ReturnWorkspace(Workspace ws)
    {
        Workspace? other = Interlocked.Exchange(ref _spare, ws);
        if (other is not null && other.Capacity > ws.Capacity) Interlocked.CompareExchange(ref _spare, other, ws);
    }

    internal Workspace NewWorkspace(int rows) => new(_layers, rows);

    /// <summary>The forward pass; <paramref name="offset"/> (rows x outputs, or empty) is added to the output layer's eta before its inverse link.</summary>
    internal void Forward(ReadOnlySpan<T> x, int rows, int threads, Workspace ws, ReadOnlySpan<T> offset = default)
    {
        ReadOnlySpan<T> input = x;
        for (int l = 0; l < _layers.Length; l++)
        {
            _layers[l].ForwardCore(input, rows, ws.Eta[l], ws.Mu[l], ws.DMu[l], threads, l == _layers.Length - 1 ? offset : default);
            input = ws.Mu[l].AsSpan(0, rows * _layers[l].OutputCount);
        }
    }

    /// <summary>
    /// Loss and (optionally) gradient, without validation: the training loop's entry point. With prior weights the loss
    /// is half the weighted mean deviance, sum w d / (2 sum w), so a canonical output's gradient in eta is w (mu - y) / sum w.
    /// The rows go through <paramref name="ws"/> <paramref name="chunk"/> at a time (all at once when 0), with the bits
    /// of all rows at once: the loss is one running sum in row order, each weight-gradient entry one chain of fused
    /// multiply-adds over the rows in order (a product stores and reloads its partial sums exactly), and each bias
    /// gradient entry a sum row by row.
    /// </summary>
    internal double LossAndGradientCore(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows, Span<T> gradient, double l2, int threads, bool withGradient, Workspace ws,
        ReadOnlySpan<double> weights = default, ReadOnlySpan<T> offset = default, int chunk = 0)
    {
        if (chunk <= 0) chunk = Math.Max(rows, 1);
        int last = _layers.Length - 1, k = OutputCount;
        double mass = weights.IsEmpty ? rows : Sum(weights);
        double scale = mass > 0 ? 1.0 / mass : 0;
        double total = 0;
        for (int start = 0; start == 0 || start < rows; start += chunk)
        {
            int r = Math.Min(chunk, rows - start);
            ReadOnlySpan<T> xc = x.Slice(start * InputCount, r * InputCount);
            Forward(xc, r, threads, ws, offset.IsEmpty ? default : offset.Slice(start * k, r * k));
            total = _loss.Evaluate<T>(ws.Eta[last].AsSpan(0, r * k), y.Slice(start * k, r * k), weights.IsEmpty ? default : weights.Slice(start, r), r, k,
                ws.Grad[last], scale, total);
            if (!withGradient) continue;

            // The first chunk writes each layer's whole slice of the gradient (its weights' and biases' entries), so
            // the gradient is not cleared first; later chunks add to it.
            for (int l = last; l >= 0; l--)
            {
                GlmLayer<T> layer = _layers[l];
                ReadOnlySpan<T> input = l == 0 ? xc : ws.Mu[l - 1].AsSpan(0, r * layer.InputCount);
                Span<T> gradX = l == 0 ? default : ws.Grad[l - 1].AsSpan(0, r * layer.InputCount);
                // Below the first layer, dL/dmu times the previous layer's dmu/deta is that layer's dL/deta (the
                // product scales each tile as it finishes it).
                layer.BackwardCore(input, r, ws.Grad[l].AsSpan(0, r * layer.OutputCount), gradient.Slice(_offsets[l], layer.ParameterCount), gradX, threads,
                    l == 0 ? default : ws.DMu[l - 1].AsSpan(0, gradX.Length), accumulate: start > 0);
            }
        }

        double loss = total * scale;
        if (l2 > 0) loss += 0.5 * l2 * SumOfSquaredWeights();
        if (!withGradient) return loss;

        if (l2 > 0)
        {
            T lambda = T.CreateTruncating(l2);
            for (int l = 0; l < _layers.Length; l++)
            {
                int n = _layers[l].OutputCount * _layers[l].InputCount;
                Span<T> g = gradient.Slice(_offsets[l], n);
                ReadOnlySpan<T> w = _theta.AsSpan(_offsets[l], n);
                for (int i = 0; i < n; i++) g[i] += lambda * w[i];
            }
        }

        return loss;
    }

    internal static double Sum(ReadOnlySpan<double> values)
    {
        double s = 0;
        foreach (double v in values) s += v;
        return s;
    }

    internal double SumOfSquaredWeights()
    {
        double s = 0;
        for (int l = 0; l < _layers.Length; l++)
        {
            foreach (T v in _layers[l].Weights)
            {
                double d = double.CreateTruncating(v);
                s += d * d;
            }
        }

        return s;
    }

    /// <summary>
    /// Per-layer buffers for a batch of up to <see cref="Capacity"/> rows, reused across batches, each starting on a
    /// 64-byte boundary (the products read them a cache line at a time; an array's own start is only 8-byte aligned,
    /// and a 512-bit load across two lines costs two) and each at its own offset within a 4 KiB page: buffers allocated
    /// one after another otherwise start at the same offset, so that a product's streams over several of them meet in
    /// the same L1 sets, and its loads from one can wait for stores to another whose addresses match in their low 12
    /// bits (with all buffers in the same kilobyte of their pages a step's forward products took 0.88 ms, 0.74 ms with
    /// the offsets; benchmarks/README.md).
    /// </summary>
    internal sealed class Workspace
    {
        private readonly int _inputs;
        private ArraySegment<T> _batchInput;
        private int _buffers;

        internal Workspace(GlmLayer<T>[] layers, int capacity)
        {
            Capacity = Math.Max(capacity, 1);
            _inputs = layers[0].InputCount;
            Eta = layers.Select(l => Aligned(Capacity * l.OutputCount)).ToArray();
            Mu = layers.Select(l => Aligned(Capacity * l.OutputCount)).ToArray();
            DMu = layers.Select(l => Aligned(Capacity * l.OutputCount)).ToArray();
            Grad = layers.Select(l => Aligned(Capacity * l.OutputCount)).ToArray();
        }

        public int Capacity { get; }

        public ArraySegment<T>[] Eta { get; }

        public ArraySegment<T>[] Mu { get; }

        public ArraySegment<T>[] DMu { get; }

        public ArraySegment<T>[] Grad { get; }

        /// <summary>Room for a batch of <see cref="Capacity"/> input rows (training gathers its batches here), made on first use.</summary>
        public ArraySegment<T> BatchInput => _batchInput.Array is null ? _batchInput = Aligned(Capacity * _inputs) : _batchInput;

        /// <summary>
        /// A zeroed buffer of <paramref name="length"/> values in a pinned array (which never moves), starting 9 cache
        /// lines further into a 4 KiB page than the workspace's previous buffer (64 distinct offsets).
        /// </summary>
        private ArraySegment<T> Aligned(int length) => AlignedArray.Allocate<T>(length, _buffers++ * 9 * 64 % AlignedArray.PageBytes);
    }

    /// <summary>The training loop: mini-batch SGD/Adam or full-batch L-BFGS, on the model's flat parameter vector.</summary>
    private sealed class Trainer(StackedGlm<T> model, TrainingOptions options)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<TrainingProgress> _history = [];
        private readonly List<Action> _returns = [];
        private Workspace _ws = null!;
        private int _p, _k, _chunk;
        private double[]? _wt, _wv; // prior weights of the training and validation rows (null: all 1)
        private T[]? _ot, _ov;      // offsets of the training and validation rows (null: none)

        public static void CheckOptions(TrainingOptions o, string name)
        {
            if (!Enum.IsDefined(o.Optimizer)) throw new ArgumentOutOfRangeException(name, o.Optimizer, $"Optimizer {(int)o.Optimizer} is not one of {string.Join(", ", Enum.GetNames<Optimizer>())}.");
            if (!(o.LearningRate > 0) || double.IsInfinity(o.LearningRate)) throw new ArgumentOutOfRangeException(name, o.LearningRate, "LearningRate must be positive and finite.");
            if (!(o.Momentum >= 0 && o.Momentum < 1)) throw new ArgumentOutOfRangeException(name, o.Momentum, "Momentum must be in [0, 1).");
            if (!(o.Beta1 >= 0 && o.Beta1 < 1)) throw new ArgumentOutOfRangeException(name, o.Beta1, "Beta1 must be in [0, 1).");
            if (!(o.Beta2 >= 0 && o.Beta2 < 1)) throw new ArgumentOutOfRangeException(name, o.Beta2, "Beta2 must be in [0, 1).");
            if (!(o.AdamEpsilon > 0) || double.IsInfinity(o.AdamEpsilon)) throw new ArgumentOutOfRangeException(name, o.AdamEpsilon, "AdamEpsilon must be positive and finite.");
            if (o.BatchSize < 1) throw new ArgumentOutOfRangeException(name, o.BatchSize, "BatchSize must be at least 1.");
            if (o.MaxEpochs < 1) throw new ArgumentOutOfRangeException(name, o.MaxEpochs, "MaxEpochs must be at least 1.");
            if (!(o.L2 >= 0) || double.IsInfinity(o.L2)) throw new ArgumentOutOfRangeException(name, o.L2, "L2 must be finite and non-negative.");
            if (!(o.ValidationFraction >= 0 && o.ValidationFraction < 1)) throw new ArgumentOutOfRangeException(name, o.ValidationFraction, "ValidationFraction must be in [0, 1).");
            if (o.Patience < 1) throw new ArgumentOutOfRangeException(name, o.Patience, "Patience must be at least 1.");
            if (!(o.Tolerance >= 0) || double.IsInfinity(o.Tolerance)) throw new ArgumentOutOfRangeException(name, o.Tolerance, "Tolerance must be finite and non-negative.");
            if (!(o.GradientTolerance >= 0) || double.IsInfinity(o.GradientTolerance)) throw new ArgumentOutOfRangeException(name, o.GradientTolerance, "GradientTolerance must be finite and non-negative.");
            if (!(o.DivergenceFactor >= 1)) throw new ArgumentOutOfRangeException(name, o.DivergenceFactor, "DivergenceFactor must be at least 1 (infinity turns the rule off).");
            if (o.LbfgsMemory < 1) throw new ArgumentOutOfRangeException(name, o.LbfgsMemory, "LbfgsMemory must be at least 1.");
            if (o.Threads < 0) throw new ArgumentOutOfRangeException(name, o.Threads, "Threads must be 0 (all cores) or positive.");
        }

        /// <summary>Rows held out for validation: none without a split, else at least one of each kind.</summary>
        public static int ValidationRows(int rows, double fraction, string name)
        {
            if (fraction == 0) return 0;
            if (rows < 2)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"ValidationFraction {fraction} needs at least 2 rows (one to train on, one to validate); there is {rows}. Set ValidationFraction to 0 or pass more rows."), name);
            }

            return Math.Clamp((int)Math.Round(rows * fraction), 1, rows - 1);
        }

        public TrainingResult Run(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int rows, ReadOnlySpan<double> weights = default, ReadOnlySpan<T> offset = default)
        {
            _p = model.InputCount;
            _k = model.OutputCount;
            var rng = new Random(options.Seed);
            int[] order = Enumerable.Range(0, rows).ToArray();
            int nVal = ValidationRows(rows, options.ValidationFraction, nameof(options));
            if (nVal > 0) rng.Shuffle(order);

            int nTrain = rows - nVal;
            bool lbfgs = options.Optimizer == Optimizer.Lbfgs;
            // Without a split the training rows are the caller's, in order: SGD and Adam read them in place (their
            // batches are gathered anyway); L-BFGS keeps its own copy for its closures.
            bool copy = nVal > 0 || lbfgs;
            ReadOnlySpan<T> xt = copy ? Gather(x, order.AsSpan(0, nTrain), _p) : x[..(nTrain * _p)];
            ReadOnlySpan<T> yt = copy ? Gather(y, order.AsSpan(0, nTrain), _k) : y[..(nTrain * _k)];
            T[] xv = Gather(x, order.AsSpan(nTrain), _p), yv = Gather(y, order.AsSpan(nTrain), _k);
            if (!weights.IsEmpty)
            {
                _wt = new double[nTrain];
                _wv = new double[nVal];
                for (int i = 0; i < nTrain; i++) _wt[i] = weights[order[i]];
                for (int i = 0; i < nVal; i++) _wv[i] = weights[order[nTrain + i]];
            }

            if (!offset.IsEmpty)
            {
                _ot = Gather(offset, order.AsSpan(0, nTrain), _k);
                _ov = Gather(offset, order.AsSpan(nTrain), _k);
            }

            // L-BFGS takes full-batch gradients, forwarded RowsPerChunk rows at a time (the bits of all rows at
            // once); SGD and Adam, mini-batches. Losses over many rows go through the workspace in chunks of the batch's
            // rows (their bits depend on neither the chunk nor the workspace's capacity). The workspace and the run's buffers are the model's spare and the
            // shared pools' arrays, so that repeated fits do not fault in fresh memory each time (every buffer is
            // written before it is read, and the optimiser's moments are cleared).
            _chunk = lbfgs ? Math.Min(model.RowsPerChunk, nTrain) : Math.Min(options.BatchSize, nTrain);
            _ws = model.RentWorkspace(_chunk);
            TrainingResult result;
            try
            {
                result = lbfgs
                    ? RunLbfgs(xt.ToArray(), yt.ToArray(), nTrain, xv, yv, nVal)
                    : RunStochastic(xt, yt, nTrain, xv, yv, nVal, rng);
            }
            finally
            {
                foreach (Action giveBack in _returns) giveBack();
                _returns.Clear();
                model.ReturnWorkspace(_ws);
            }

            if (result.StopReason == TrainingStopReason.Canceled) throw new TrainingCanceledException(result, options.CancellationToken);
            return result;
        }

        private GatherWork? _gather;

        /// <summary>An array of at least <paramref name="length"/> elements from the shared pool, given back when the run ends.</summary>
        private TElement[] Rent<TElement>(int length)
        {
            TElement[] array = ArrayPool<TElement>.Shared.Rent(length);
            _returns.Add(() => ArrayPool<TElement>.Shared.Return(array));
            return array;
        }

        /// <summary>
        /// Copies the given rows of <paramref name="source"/> (rows of <paramref name="width"/> values) into
        /// <paramref name="destination"/> in order: split over the kernel team when the options allow more than one
        /// thread and the batch is large (a copy's bits do not depend on who makes it), else on this thread.
        /// </summary>
        private unsafe void GatherRows(ReadOnlySpan<T> source, ReadOnlySpan<int> rows, int width, Span<T> destination)
        {
            int threads = options.Threads <= 0 ? Environment.ProcessorCount : Math.Min(options.Threads, Environment.ProcessorCount);
            fixed (T* src = source, dst = destination)
            fixed (int* order = rows)
            {
                if (threads > 1 && (long)rows.Length * width * sizeof(T) >= GatherWork.ParallelBytes)
                {
                    GatherWork work = _gather ??= new GatherWork();
                    work.Set(src, dst, order, rows.Length, width);
                    bool ran = KernelTeam.Shared.TryRun(work, threads);
                    work.Set(null, null, null, 0, 0);
                    if (ran) return;
                }

                GatherWork.Copy(src, dst, order, 0, rows.Length, width);
            }
        }

        /// <summary>A batch's gather as chunked work for the kernel team (pointers pinned by the caller for the call).</summary>
        private sealed unsafe class GatherWork : IChunkWork
        {
            /// <summary>Batches of at least this many bytes are gathered by several threads.</summary>
            public const long ParallelBytes = 256 * 1024;

            private T* _src, _dst;
            private int* _rows;
            private int _count, _width;

            public void Set(T* src, T* dst, int* rows, int count, int width)
            {
                _src = src;
                _dst = dst;
                _rows = rows;
                _count = count;
                _width = width;
            }

            public void Run(int chunk, int chunks) =>
                Copy(_src, _dst, _rows, (int)((long)_count * chunk / chunks), (int)((long)_count * (chunk + 1) / chunks), _width);

            /// <summary>
            /// Rows [lo, hi) of the order, asking for the lines of the row 16 ahead while copying: a shuffled batch's
            /// rows are scattered over the training data, and without the hint each row's copy waits for memory.
            /// </summary>
            public static void Copy(T* src, T* dst, int* rows, int lo, int hi, int width)
            {
                const int Ahead = 16;
                int bytes = width * sizeof(T);
                for (int i = lo; i < hi; i++)
                {
                    if (Sse.IsSupported && i + Ahead < hi)
                    {
                        byte* next = (byte*)(src + (nint)rows[i + Ahead] * width);
                        for (int b = 0; b < bytes; b += 64) Sse.Prefetch0(next + b);
                    }

                    new ReadOnlySpan<T>(src + (nint)rows[i] * width, width).CopyTo(new Span<T>(dst + (nint)i * width, width));
                }
            }
        }

        private static unsafe T[] Gather(ReadOnlySpan<T> source, ReadOnlySpan<int> rows, int width)
        {
            var dst = new T[rows.Length * width];
            fixed (T* src = source, d = dst)
            fixed (int* order = rows)
            {
                GatherWork.Copy(src, d, order, 0, rows.Length, width);
            }

            return dst;
        }

        /// <summary>
        /// The penalised loss over n rows at the current parameters, forwarded in chunks of the run's batch rows through
        /// its workspace (NaN for no rows): the same bits as <see cref="StackedGlm{T}.Loss(ReadOnlySpan{T}, ReadOnlySpan{T}, int)"/>
        /// plus the penalty.
        /// </summary>
        private double Loss(ReadOnlySpan<T> x, ReadOnlySpan<T> y, int n, double[]? w, T[]? o) =>
            model.ChunkedLoss(x, y, n, options.Threads, w is null ? default : w.AsSpan(0, n), o is null ? default : o.AsSpan(0, n * _k), _chunk, _ws)
            + (options.L2 > 0 ? 0.5 * options.L2 * model.SumOfSquaredWeights() : 0);

        private void Report(int epoch, double loss, double? validation)
        {
            var progress = new TrainingProgress(epoch, loss, validation, _clock.Elapsed);
            _history.Add(progress);
            options.Progress?.Report(progress);
        }

        private TrainingResult RunStochastic(ReadOnlySpan<T> xt, ReadOnlySpan<T> yt, int nTrain, T[] xv, T[] yv, int nVal, Random rng)
        {
            int p = _p, k = _k, np = model.ParameterCount;
            int batch = _chunk;
            ArraySegment<T> xb = _ws.BatchInput;
            T[] yb = Rent<T>(batch * k);
            double[]? wb = _wt is null ? null : Rent<double>(batch);
            T[]? ob = _ot is null ? null : Rent<T>(batch * k);
            double trainMass = _wt is null ? nTrain : Sum(_wt);
            Span<T> grad = Rent<T>(np).AsSpan(0, np);
            // The optimiser's moments, only when it has them: SGD without momentum reads neither (a model of 10^8
            // parameters would otherwise allocate 1.6 GB for nothing).
            bool withMoments = options.Optimizer == Optimizer.Adam || options.Momentum != 0;
            Span<double> m = withMoments ? Rent<double>(np).AsSpan(0, np) : [];
            Span<double> v = options.Optimizer == Optimizer.Adam ? Rent<double>(np).AsSpan(0, np) : [];
            m.Clear();
            v.Clear();
            Span<int> order = Rent<int>(nTrain).AsSpan(0, nTrain);
            for (int i = 0; i < nTrain; i++) order[i] = i;
            Span<T> theta = model.ParameterSpan;

            // The starting point is the first candidate for the best parameters, and its loss the scale of divergence.
            double startLoss = Loss(xt, yt, nTrain, _wt, _ot);
            double? lastValidation = nVal > 0 ? Loss(xv, yv, nVal, _wv, _ov) : null;
            Span<T> startTheta = Rent<T>(np).AsSpan(0, np), best = Rent<T>(np).AsSpan(0, np);
            theta.CopyTo(startTheta);
            theta.CopyTo(best);
            bool bestIsStart = true;
            double bestScore = lastValidation ?? startLoss;
            double ceiling = options.DivergenceFactor * startLoss;
            int stale = 0, step = 0, epoch = 0;
            TrainingStopReason reason = double.IsFinite(bestScore) ? TrainingStopReason.MaxEpochs : TrainingStopReason.Diverged;
            bool adam = options.Optimizer == Optimizer.Adam;

            while (reason == TrainingStopReason.MaxEpochs && epoch < options.MaxEpochs)
            {
                epoch++;
                rng.Shuffle(order);
                double epochLoss = 0;
                for (int start = 0; start < nTrain; start += batch)
                {
                    if (options.CancellationToken.IsCancellationRequested)
                    {
                        reason = TrainingStopReason.Canceled;
                        break;
                    }

                    int rowsB = Math.Min(batch, nTrain - start);
                    GatherRows(xt, order.Slice(start, rowsB), p, xb);
                    for (int i = 0; i < rowsB; i++)
                    {
                        if (wb is not null) wb[i] = _wt![order[start + i]];
                        if (ob is not null) _ot.AsSpan(order[start + i] * k, k).CopyTo(ob.AsSpan(i * k, k));
                        yt.Slice(order[start + i] * k, k).CopyTo(yb.AsSpan(i * k, k));
                    }

                    ReadOnlySpan<double> wBatch = wb is null ? default : wb.AsSpan(0, rowsB);
                    epochLoss += (wb is null ? rowsB : Sum(wBatch)) * model.LossAndGradientCore(xb.AsSpan(0, rowsB * p), yb.AsSpan(0, rowsB * k), rowsB, grad, options.L2, options.Threads, withGradient: true, _ws,
                        wBatch, ob is null ? default : ob.AsSpan(0, rowsB * k));
                    // A non-finite gradient makes the updated parameters non-finite (NaN or infinite steps propagate
                    // through SGD's and Adam's formulas), so one check of the parameters covers both; divergence then
                    // restores the best parameters.
                    step++;
                    bool finite = adam
                        ? UpdateKernels.Update<T>(true, theta, grad, m, v, options.LearningRate, options.Beta1, options.Beta2,
                            1 - Math.Pow(options.Beta1, step), 1 - Math.Pow(options.Beta2, step), options.AdamEpsilon, options.Threads)
                        : UpdateKernels.Update<T>(false, theta, grad, m, v, options.LearningRate, options.Momentum, 0, 0, 0, 0, options.Threads);
                    model.InvalidateLayers();
                    if (!finite)
                    {
                        reason = TrainingStopReason.Diverged;
                        break;
                    }
                }

                if (reason == TrainingStopReason.Canceled)
                {
                    epoch--; // the epoch did not complete
                    break;
                }

                if (reason == TrainingStopReason.Diverged)
                {
                    Report(epoch, double.PositiveInfinity, null);
                    break;
                }

                epochLoss /= trainMass;
                lastValidation = nVal > 0 ? Loss(xv, yv, nVal, _wv, _ov) : null;
                Report(epoch, epochLoss, lastValidation);
                double score = lastValidation ?? epochLoss;
                if (!double.IsFinite(score) || epochLoss > ceiling)
                {
                    reason = TrainingStopReason.Diverged;
                    break;
                }

                if (score < bestScore - options.Tolerance)
                {
                    bestScore = score;
                    stale = 0;
                    theta.CopyTo(best);
                    bestIsStart = false;
                }
                else if (++stale >= options.Patience)
                {
                    reason = nVal > 0 ? TrainingStopReason.EarlyStopping : TrainingStopReason.NoImprovement;
                }
            }

            // Early stopping and divergence go back to the best parameters; so does a cancelled run with a validation split.
            if (reason is TrainingStopReason.EarlyStopping or TrainingStopReason.Diverged || (reason == TrainingStopReason.Canceled && nVal > 0))
            {
                best.CopyTo(theta);
                model.InvalidateLayers();
                // Without a split, "best" was judged by an epoch's mean mini-batch loss, taken while the parameters
                // moved: check the loss at them, and go back to the start when it is not lower there.
                if (reason == TrainingStopReason.Diverged && nVal == 0 && !bestIsStart && !(Loss(xt, yt, nTrain, _wt, _ot) <= startLoss))
                {
                    startTheta.CopyTo(theta);
                    model.InvalidateLayers();
                }
            }

            return Finish(epoch, reason, xt, yt, nTrain, xv, yv, nVal);
        }

        private TrainingResult Finish(int epochs, TrainingStopReason reason, ReadOnlySpan<T> xt, ReadOnlySpan<T> yt, int nTrain, T[] xv, T[] yv, int nVal)
        {
            double loss = Loss(xt, yt, nTrain, _wt, _ot);
            double? validation = nVal > 0 ? Loss(xv, yv, nVal, _wv, _ov) : null;
            return new TrainingResult(epochs, loss, validation, reason, _history);
        }

        private TrainingResult RunLbfgs(T[] xt, T[] yt, int nTrain, T[] xv, T[] yv, int nVal)
        {
            int np = model.ParameterCount;
            var gradT = new T[np];
            Span<T> theta = model.ParameterSpan;
            var x0 = new double[np];
            for (int i = 0; i < np; i++) x0[i] = double.CreateTruncating(theta[i]);
            double[]? bestValidated = null;
            double bestValidation = double.PositiveInfinity;

            void Set(double[] at)
            {
                Span<T> th = model.ParameterSpan;
                for (int i = 0; i < np; i++) th[i] = T.CreateTruncating(at[i]);
                model.InvalidateLayers();
            }

            double Evaluate(double[] at, double[] g)
            {
                Set(at);
                double f = model.LossAndGradientCore(xt, yt, nTrain, gradT, options.L2, options.Threads, withGradient: true, _ws, _wt, _ot, _chunk);
                if (!UpdateKernels.AllFinite<T>(gradT)) return double.PositiveInfinity; // the line search backs off
                for (int i = 0; i < np; i++) g[i] = double.CreateTruncating(gradT[i]);
                return f;
            }

            var lbfgs = new Lbfgs(np, options.LbfgsMemory);
            (double[] xBest, _, int iterations, TrainingStopReason reason) = lbfgs.Minimize(x0, Evaluate, options.MaxEpochs, options.GradientTolerance,
                (iteration, f, at) =>
                {
                    double? validation = null;
                    if (nVal > 0)
                    {
                        Set(at);
                        validation = Loss(xv, yv, nVal, _wv, _ov);
                        if (validation < bestValidation)
                        {
                            bestValidation = validation.Value;
                            bestValidated = (double[])at.Clone();
                        }
                    }

                    Report(iteration, f, validation);
                    return options.CancellationToken.IsCancellationRequested;
                });

            Set(reason == TrainingStopReason.Canceled && bestValidated is not null ? bestValidated : xBest);
            return Finish(iterations, reason, xt, yt, nTrain, xv, yv, nVal);
        }
    }
}
