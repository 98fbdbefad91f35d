using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using MathNet.Numerics.LinearAlgebra;
using NNLinearity.Data;
using NNLinearity.Formulas;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

/// <summary>Settings of a multinomial fit.</summary>
/// <remarks>Thread safety: an immutable record; safe to share across threads.</remarks>
public sealed record MultinomialOptions
{
    /// <summary>Prepend an intercept column (default true; formulas say it themselves).</summary>
    public bool Intercept { get; init; } = true;

    /// <summary>Names of the columns of X (without the intercept); default x1, x2, ...</summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>Prior (frequency) weights, one per row, finite and non-negative; default all 1.</summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>Newton iterations at most (100).</summary>
    public int MaxIterations { get; init; } = 100;
}

/// <summary>
/// Multinomial logistic regression fitted by Newton's method on the full multinomial likelihood (baseline-category
/// logits, the first class as reference): log(p_k / p_0) = x b_k for k = 1 .. K - 1, with R's nnet::multinom's
/// parametrisation and inference (standard errors from the inverse information, deviance, AIC).
/// </summary>
/// <remarks>Thread safety: stateless; concurrent fits are safe.</remarks>
public static class MultinomialGlm
{
    private static readonly string[] InterceptName = ["(Intercept)"];

    /// <summary>Fits classes (0 .. K - 1, class 0 the reference) on the columns of x.</summary>
    /// <param name="x">The predictors [rows, columns] (no intercept column).</param>
    /// <param name="classes">Each row's class, in [0, classNames.Count).</param>
    /// <param name="classNames">The classes' names in order (the first is the reference); at least two.</param>
    /// <param name="options">Intercept, column names, weights, iterations.</param>
    /// <returns>The fit.</returns>
    /// <exception cref="ArgumentException">Shapes, a class outside the range, non-finite values, negative weights, fewer than 2 classes.</exception>
    /// <exception cref="GlmFitException">The information matrix is singular (collinear columns, or a class no row has).</exception>
    public static MultinomialFit Fit(double[,] x, IReadOnlyList<int> classes, IReadOnlyList<string> classNames, MultinomialOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(classNames);
        options ??= new MultinomialOptions();
        int n = x.GetLength(0), k = x.GetLength(1);
        if (n == 0) throw new ArgumentException("x has no rows.", nameof(x));
        if (classes.Count != n) throw new ArgumentException($"classes has {classes.Count} values but x has {n} rows.", nameof(classes));
        if (classNames.Count < 2) throw new ArgumentException($"classNames has {classNames.Count} classes; a multinomial model needs at least 2.", nameof(classNames));
        if (options.MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(options), options.MaxIterations, "MaxIterations must be at least 1.");
        if (options.ColumnNames is not null && options.ColumnNames.Count != k) throw new ArgumentException($"ColumnNames has {options.ColumnNames.Count} names but x has {k} columns.", nameof(options));
        int p = k + (options.Intercept ? 1 : 0);
        var design = new double[n * p];
        for (int i = 0; i < n; i++)
        {
            if ((uint)classes[i] >= (uint)classNames.Count) throw new ArgumentOutOfRangeException(nameof(classes), classes[i], $"classes[{i}] is not in [0, {classNames.Count}).");
            if (options.Intercept) design[i * p] = 1;
            for (int j = 0; j < k; j++)
            {
                double v = x[i, j];
                if (!double.IsFinite(v)) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"x[{i}, {j}] is {v}: values must be finite."), nameof(x));
                design[i * p + j + (options.Intercept ? 1 : 0)] = v;
            }
        }

        double[] w = options.Weights?.ToArray() ?? Enumerable.Repeat(1.0, n).ToArray();
        if (w.Length != n) throw new ArgumentException($"Weights has {w.Length} values but x has {n} rows.", nameof(options));
        for (int i = 0; i < n; i++)
        {
            if (!(w[i] >= 0) || double.IsInfinity(w[i])) throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Weights[{i}] is {w[i]}: prior weights must be finite and non-negative."), nameof(options));
        }

        string[] names = (options.Intercept ? InterceptName : [])
            .Concat(options.ColumnNames ?? Enumerable.Range(1, k).Select(j => "x" + j.ToString(CultureInfo.InvariantCulture))).ToArray();
        return Newton(design, n, p, classes.ToArray(), classNames.ToArray(), w, names, options.MaxIterations, start: null);
    }

    /// <summary>Fits a multinomial model from a formula whose response is a factor, character or logical column (its first level is the reference; use <c>relevel</c> for another).</summary>
    /// <param name="formula">The formula, for example <c>"Sat ~ Infl + Type + Cont"</c>.</param>
    /// <param name="data">The table.</param>
    /// <param name="frame">Weights column, contrasts and missing values.</param>
    /// <param name="maxIterations">Newton iterations at most.</param>
    /// <returns>The fit, with R's column names and the response's levels as classes.</returns>
    public static MultinomialFit Fit(string formula, DataTable data, ModelFrameOptions? frame = null, int maxIterations = 100)
    {
        ArgumentNullException.ThrowIfNull(formula);
        ArgumentNullException.ThrowIfNull(data);
        frame ??= new ModelFrameOptions();
        ModelTerms terms = Formula.Parse(formula).Expand(data.ColumnNames);
        if (terms.ResponseIndex < 0) throw new ArgumentException($"The formula '{formula}' has no response.", nameof(formula));
        ModelDesign d = Frame.Build(terms, data, frame, recipe: null, withResponse: false);
        Value y = new Evaluator(data, new DesignRecipe(new ModelFrameOptions()), training: true).Evaluate(terms.VariableNode(terms.ResponseIndex));
        if (!y.IsFactor) throw new ArgumentException($"The response '{terms.VariableNode(terms.ResponseIndex).Deparse()}' is numeric; a multinomial model needs a factor, character or logical response.", nameof(formula));
        int[] codes = d.RowsUsed.Select(r => y.Codes![r]).ToArray();
        if (codes.Any(c => c < 0)) throw new ArgumentException("The response has missing values in rows the model uses.", nameof(data));
        // Classes are the response's levels present in the rows used, in level order (R drops unused levels).
        int[] present = codes.Distinct().Order().ToArray();
        int[] map = new int[y.Levels.Length];
        for (int c = 0; c < present.Length; c++) map[present[c]] = c;
        double[] w = frame.Weights is null ? Enumerable.Repeat(1.0, d.RowCount).ToArray() : d.RowsUsed.Select(r => data[frame.Weights].GetNumber(r)).ToArray();
        MultinomialFit fit = Newton(d.MatrixArray, d.RowCount, d.ColumnCount, codes.Select(c => map[c]).ToArray(), present.Select(c => y.Levels[c]).ToArray(), w, d.ColumnNames.ToArray(), maxIterations, start: null);
        fit.Design = d;
        return fit;
    }

    /// <summary>Newton's method with step-halving on the log-likelihood; stops when a step changes no coefficient beyond rounding.</summary>
    internal static MultinomialFit Newton(double[] x, int n, int p, int[] y, string[] classNames, double[] w, string[] names, int maxIterations, double[]? start)
    {
        int classes = classNames.Length, m = classes - 1, q = m * p;
        if (classes < 2) throw new ArgumentException($"The response has {classes} class in the rows used; a multinomial model needs at least 2.", nameof(y));
        double[] theta = start?.ToArray() ?? new double[q];
        var prob = new double[n * classes];
        double deviance = Deviance(x, n, p, y, w, theta, classes, prob);
        int iterations = 0;
        bool converged = false, singular = false;
        Matrix<double>? info = null;
        for (; iterations < maxIterations; iterations++)
        {
            (Vector<double> g, Matrix<double> h) = Derivatives(x, n, p, y, w, prob, classes);
            info = h;
            Vector<double> step;
            try
            {
                step = h.Cholesky().Solve(g);
            }
            catch (ArgumentException)
            {
                // Singular from the start: collinear columns or an empty class. Later: the coefficients ran off towards
                // a separated solution and the information vanished; stop there and say so.
                if (iterations == 0) throw new GlmFitException("The multinomial information matrix is singular: columns are collinear, or a class has no rows with positive weight.");
                singular = true;
                break;
            }

            double[] next = new double[q];
            double devNext = double.NaN;
            for (int halving = 0; halving < 50; halving++)
            {
                double t = Math.Pow(0.5, halving);
                for (int j = 0; j < q; j++) next[j] = theta[j] + t * step[j];
                devNext = Deviance(x, n, p, y, w, next, classes, prob);
                if (double.IsFinite(devNext) && devNext <= deviance + 1e-12 * Math.Abs(deviance)) break;
            }

            double largest = 0;
            for (int j = 0; j < q; j++) largest = Math.Max(largest, Math.Abs(next[j] - theta[j]) / Math.Max(1, Math.Abs(next[j])));
            theta = next;
            deviance = devNext;
            if (largest < 1e-13)
            {
                converged = true;
                iterations++;
                break;
            }
        }

        // The information at the final coefficients gives the covariance.
        (_, info) = Derivatives(x, n, p, y, w, prob, classes);
        Matrix<double> covariance = singular ? Matrix<double>.Build.Dense(q, q, double.NaN) : info.Inverse();
        var diagnostics = new List<GlmDiagnostic>();
        if (!converged) diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.NotConverged, singular
            ? $"Newton's method stopped after {iterations} iterations: the information matrix became singular as coefficients diverged; standard errors are not available (NaN)."
            : $"Newton's method did not converge in {maxIterations} iterations."));
        const double tiny = 10 * Special.Epsilon;
        int extreme = 0;
        for (int i = 0; i < n; i++)
        {
            if (w[i] <= 0) continue;
            for (int c = 0; c < classes; c++) extreme += prob[i * classes + c] < tiny || prob[i * classes + c] > 1 - tiny ? 1 : 0;
        }

        if (extreme > 0 || covariance.Enumerate().Any(v => !double.IsFinite(v)))
        {
            diagnostics.Add(new GlmDiagnostic(GlmDiagnosticKind.FittedProbabilitiesZeroOrOne,
                $"Fitted probabilities numerically 0 or 1 occurred ({extreme} row-class pairs): the classes are (quasi-)completely separated and some coefficients diverge."));
        }

        double sumW = w.Sum();
        var coef = new double[m, p];
        var se = new double[m, p];
        for (int c = 0; c < m; c++)
        {
            for (int j = 0; j < p; j++)
            {
                coef[c, j] = theta[c * p + j];
                se[c, j] = Math.Sqrt(covariance[c * p + j, c * p + j]);
            }
        }

        return new MultinomialFit(classNames, names, coef, se, covariance.ToArray(), deviance, deviance + 2 * q, q, iterations, converged, diagnostics, n, sumW);
    }

    /// <summary>-2 sum w log p_y, filling the fitted probabilities (stable softmax with class 0's eta at 0).</summary>
    private static double Deviance(double[] x, int n, int p, int[] y, double[] w, double[] theta, int classes, double[] prob)
    {
        double dev = 0;
        Span<double> eta = stackalloc double[classes];
        for (int i = 0; i < n; i++)
        {
            eta[0] = 0;
            double max = 0;
            for (int c = 1; c < classes; c++)
            {
                double s = 0;
                for (int j = 0; j < p; j++) s += x[i * p + j] * theta[(c - 1) * p + j];
                eta[c] = s;
                max = Math.Max(max, s);
            }

            double z = 0;
            for (int c = 0; c < classes; c++) z += Math.Exp(eta[c] - max);
            double logZ = max + Math.Log(z);
            for (int c = 0; c < classes; c++) prob[i * classes + c] = Math.Exp(eta[c] - logZ);
            if (w[i] > 0) dev -= 2 * w[i] * (eta[y[i]] - logZ);
        }

        return dev;
    }

    /// <summary>The score and the information (class-major blocks) at the probabilities.</summary>
    private static (Vector<double> Score, Matrix<double> Information) Derivatives(double[] x, int n, int p, int[] y, double[] w, double[] prob, int classes)
    {
        int m = classes - 1, q = m * p;
        var g = new double[q];
        var h = new double[q, q];
        for (int i = 0; i < n; i++)
        {
            if (w[i] <= 0) continue;
            for (int a = 1; a < classes; a++)
            {
                double pa = prob[i * classes + a];
                double r = w[i] * ((y[i] == a ? 1 : 0) - pa);
                for (int j = 0; j < p; j++) g[(a - 1) * p + j] += r * x[i * p + j];
                for (int b = a; b < classes; b++)
                {
                    double coefficient = w[i] * pa * ((a == b ? 1 : 0) - prob[i * classes + b]);
                    for (int j = 0; j < p; j++)
                    {
                        double xj = coefficient * x[i * p + j];
                        for (int l = 0; l < p; l++) h[(a - 1) * p + j, (b - 1) * p + l] += xj * x[i * p + l];
                    }
                }
            }
        }

        for (int a = 0; a < q; a++) for (int b = 0; b < a; b++) h[a, b] = h[b, a];
        return (Vector<double>.Build.DenseOfArray(g), Matrix<double>.Build.DenseOfArray(h));
    }
}

/// <summary>A fitted multinomial logistic regression (baseline-category logits), with R's nnet::multinom inference.</summary>
/// <remarks>Thread safety: immutable once returned; safe to share across threads.</remarks>
public sealed class MultinomialFit
{
    private readonly double[,] _coefficients, _standardErrors, _covariance;

    internal MultinomialFit(string[] classNames, string[] names, double[,] coefficients, double[,] standardErrors, double[,] covariance, double deviance, double aic,
        int parameters, int iterations, bool converged, IReadOnlyList<GlmDiagnostic> diagnostics, int rows, double weightSum)
    {
        ClassNames = classNames;
        CoefficientNames = names;
        _coefficients = coefficients;
        _standardErrors = standardErrors;
        _covariance = covariance;
        Deviance = deviance;
        Aic = aic;
        ParameterCount = parameters;
        Iterations = iterations;
        Converged = converged;
        Diagnostics = diagnostics;
        RowCount = rows;
        WeightSum = weightSum;
    }

    /// <summary>The classes in order; the first is the reference.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The columns' names ((Intercept) first when there is one).</summary>
    public IReadOnlyList<string> CoefficientNames { get; }

    /// <summary>b[class - 1, column]: the log-odds of class (1 .. K - 1) against the reference.</summary>
    /// <param name="cls">The class, from 1 (the reference 0 has none).</param>
    /// <param name="column">The column.</param>
    /// <returns>The coefficient.</returns>
    public double Coefficient(int cls, int column) => _coefficients[cls - 1, column];

    /// <summary>The standard error of <see cref="Coefficient"/>.</summary>
    /// <param name="cls">The class, from 1.</param>
    /// <param name="column">The column.</param>
    /// <returns>The standard error.</returns>
    public double StandardError(int cls, int column) => _standardErrors[cls - 1, column];

    /// <summary>The covariance of all coefficients, class by class ((K - 1) p square; a copy).</summary>
    /// <returns>The matrix.</returns>
    public double[,] Covariance() => (double[,])_covariance.Clone();

    /// <summary>Residual deviance, -2 sum w log p(observed class).</summary>
    public double Deviance { get; }

    /// <summary>AIC: the deviance plus twice the number of coefficients.</summary>
    public double Aic { get; }

    /// <summary>Number of coefficients, (K - 1) p (nnet's edf).</summary>
    public int ParameterCount { get; }

    /// <summary>Newton iterations.</summary>
    public int Iterations { get; }

    /// <summary>Whether Newton's method converged (a step below rounding).</summary>
    public bool Converged { get; }

    /// <summary>Non-convergence and separation (fitted probabilities numerically 0 or 1).</summary>
    public IReadOnlyList<GlmDiagnostic> Diagnostics { get; }

    /// <summary>Rows fitted.</summary>
    public int RowCount { get; }

    /// <summary>The sum of the prior weights.</summary>
    public double WeightSum { get; }

    /// <summary>For a fit from a formula, the design it was fitted on; null otherwise.</summary>
    public ModelDesign? Design { get; internal set; }

    /// <summary>Class probabilities for new rows [rows, classes].</summary>
    /// <param name="x">Predictors [rows, columns] without the intercept column.</param>
    /// <returns>The probabilities.</returns>
    /// <exception cref="ArgumentException">The column count differs from the fit's, or a value is not finite.</exception>
    public double[,] Predict(double[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        bool intercept = CoefficientNames.Count > 0 && CoefficientNames[0] == "(Intercept)";
        int p = CoefficientNames.Count, k = p - (intercept ? 1 : 0), n = x.GetLength(0), classes = ClassNames.Count;
        if (x.GetLength(1) != k) throw new ArgumentException($"x has {x.GetLength(1)} columns but the model was fitted with {k}.", nameof(x));
        var probs = new double[n, classes];
        var eta = new double[classes];
        for (int i = 0; i < n; i++)
        {
            double max = 0;
            for (int c = 1; c < classes; c++)
            {
                double s = intercept ? _coefficients[c - 1, 0] : 0;
                for (int j = 0; j < k; j++)
                {
                    if (!double.IsFinite(x[i, j])) throw new ArgumentException($"x[{i}, {j}] is not finite.", nameof(x));
                    s += x[i, j] * _coefficients[c - 1, j + (intercept ? 1 : 0)];
                }

                eta[c] = s;
                max = Math.Max(max, s);
            }

            double z = 0;
            for (int c = 0; c < classes; c++) z += Math.Exp(eta[c] - max);
            for (int c = 0; c < classes; c++) probs[i, c] = Math.Exp(eta[c] - max) / z;
        }

        return probs;
    }

    /// <summary>A summary in the layout of R's <c>summary(multinom(...))</c>: coefficients and standard errors by class, deviance, AIC.</summary>
    /// <returns>The text.</returns>
    public string Summary()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        void Table(string title, double[,] values)
        {
            sb.AppendLine(title);
            int w0 = ClassNames.Skip(1).Max(s => s.Length);
            string[] head = CoefficientNames.ToArray();
            string[,] cells = new string[values.GetLength(0), head.Length];
            for (int r = 0; r < values.GetLength(0); r++) for (int j = 0; j < head.Length; j++) cells[r, j] = values[r, j].ToString("G7", c);
            int[] widths = head.Select((h, j) => Math.Max(h.Length, Enumerable.Range(0, values.GetLength(0)).Max(r => cells[r, j].Length))).ToArray();
            sb.Append(' ', w0);
            for (int j = 0; j < head.Length; j++) sb.Append(' ').Append(head[j].PadLeft(widths[j]));
            sb.AppendLine();
            for (int r = 0; r < values.GetLength(0); r++)
            {
                sb.Append(ClassNames[r + 1].PadRight(w0));
                for (int j = 0; j < head.Length; j++) sb.Append(' ').Append(cells[r, j].PadLeft(widths[j]));
                sb.AppendLine();
            }

            sb.AppendLine();
        }

        Table("Coefficients:", _coefficients);
        Table("Std. Errors:", _standardErrors);
        sb.AppendLine(c, $"Residual Deviance: {Deviance:F4} ");
        sb.AppendLine(c, $"AIC: {Aic:F4} ");
        foreach (GlmDiagnostic d in Diagnostics) sb.AppendLine(c, $"Note: {d.Message}");
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Summary();
}
