using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using NNLinearity.Numerics;

namespace NNLinearity.Glm;

public sealed partial class GlmFit
{
    /// <summary>Number of coefficients (including aliased ones).</summary>
    public int CoefficientCount => Coefficients.Count;

    /// <summary>Residuals of the given type, one per row (R's <c>residuals(fit, type)</c>).</summary>
    /// <param name="type">The residual type.</param>
    /// <returns>The residuals.</returns>
    /// <exception cref="InvalidOperationException">The fit was made with <see cref="GlmOptions.KeepRowResults"/> false.</exception>
    public double[] Residuals(GlmResidualType type = GlmResidualType.Deviance)
    {
        double[] r = RawResiduals(type);
        return PadsToTable ? Design!.ToTableRows(r) : r;
    }

    private double[] RawResiduals(GlmResidualType type)
    {
        if (!HasRowResults) throw NoRowResults(nameof(Residuals));
        int n = Response.Count;
        double[] r = new double[n];
        IReadOnlyList<double> fitted = _fittedValues!, eta = _linearPredictors!;
        for (int i = 0; i < n; i++)
        {
            double y = Response[i], mu = fitted[i], w = PriorWeights[i];
            r[i] = type switch
            {
                GlmResidualType.Response => y - mu,
                GlmResidualType.Working => (y - mu) / FittingDerivative(eta[i]),
                GlmResidualType.Pearson => (y - mu) * Math.Sqrt(w) / Math.Sqrt(Family.Variance(mu)),
                GlmResidualType.Deviance => Math.Sign(y - mu) * Math.Sqrt(Math.Max(Family.Deviance(y, mu, w), 0.0)),
                _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown residual type."),
            };
        }

        return r;
    }

    /// <summary>The Pearson chi-square statistic: the sum of squared Pearson residuals.</summary>
    /// <exception cref="InvalidOperationException">The fit was made with <see cref="GlmOptions.KeepRowResults"/> false.</exception>
    public double PearsonChiSquare => RawResiduals(GlmResidualType.Pearson).Sum(r => r * r);

    /// <summary>Predictions for new rows (without the intercept column), with standard errors (R's <c>predict.glm(newdata, se.fit = TRUE)</c>). Pass the fitted rows to predict them.</summary>
    /// <param name="x">New predictors [rows, columns], columns as in the fit (no intercept column).</param>
    /// <param name="scale">Link (eta) or response (mu) scale.</param>
    /// <param name="offset">An offset per new row, or null for none.</param>
    /// <returns>The predictions.</returns>
    /// <exception cref="ArgumentException">The column count differs from the fit, a value is not finite, or the offset length differs.</exception>
    public unsafe GlmPrediction Predict(double[,] x, GlmPredictionScale scale = GlmPredictionScale.Response, IReadOnlyList<double>? offset = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rows = x.GetLength(0), k = x.GetLength(1);
        fixed (byte* p = &MemoryMarshal.GetArrayDataReference(x))
        {
            return PredictCore(new DesignSource((double*)p, rows, k, k, 1, HasIntercept), scale, offset);
        }
    }

    /// <summary>Predictions for a new table from a fit made with a formula (R's <c>predict(fit, newdata, se.fit = TRUE)</c>): the table is coded as the fitted data were (levels, contrasts, <c>poly</c> coefficients); formula offsets and the offset column are applied.</summary>
    /// <param name="data">The new table: every column the formula's right-hand side uses (the response is not needed).</param>
    /// <param name="scale">Link (eta) or response (mu) scale.</param>
    /// <returns>The predictions, one per row of <paramref name="data"/>; rows with a missing value get NaN and are listed in <see cref="GlmPrediction.MissingRows"/> (R's na.pass).</returns>
    /// <exception cref="InvalidOperationException">The fit was made from a matrix, not a formula.</exception>
    /// <exception cref="ArgumentException">A column is missing, a factor level was not seen in fitting, or a row has a missing value.</exception>
    /// <remarks>Also for a streamed fit from a formula (<c>Glm.FitStreaming(formula, tables, ...)</c>), which codes new tables with the levels it collected over all its tables.</remarks>
    public GlmPrediction Predict(NNLinearity.Data.DataTable data, GlmPredictionScale scale = GlmPredictionScale.Response)
    {
        ArgumentNullException.ThrowIfNull(data);
        NNLinearity.Formulas.ModelDesign design = Design ?? PredictionDesign
            ?? throw new InvalidOperationException(DataPasses > 0
                ? "This streamed fit was made from a matrix source; predict from a matrix, or fit from a formula to predict from a table."
                : "This fit was made from a matrix; predict from a matrix, or fit from a formula to predict from a table.");
        NNLinearity.Formulas.ModelDesign d = design.ForNewData(data);
        int p = d.ColumnCount, skip = HasIntercept ? 1 : 0, k = p - skip;
        var x = new double[(long)d.RowCount * k];
        for (int r = 0; r < d.RowCount; r++)
        {
            for (int j = 0; j < k; j++) x[(long)r * k + j] = d.Matrix[r * p + skip + j];
        }

        GlmPrediction complete = Predict(x, d.RowCount, k, scale, d.Offset);
        if (d.OmittedRows == 0) return complete;
        return new GlmPrediction(d.ToTableRows(complete.Fit), d.ToTableRows(complete.StandardErrors), scale) { MissingRows = d.MissingTableRows() };
    }

    /// <summary>Predictions for the rows of a MathNet matrix (without the intercept column), with standard errors.</summary>
    /// <param name="x">New predictors [rows, columns], columns as in the fit.</param>
    /// <param name="scale">Link (eta) or response (mu) scale.</param>
    /// <param name="offset">An offset per new row, or null for none.</param>
    /// <returns>The predictions.</returns>
    /// <exception cref="ArgumentException">As <see cref="Predict(double[,], GlmPredictionScale, IReadOnlyList{double}?)"/>.</exception>
    public GlmPrediction Predict(MathNet.Numerics.LinearAlgebra.Matrix<double> x, GlmPredictionScale scale = GlmPredictionScale.Response, IReadOnlyList<double>? offset = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Predict(x.ToRowMajorArray(), x.RowCount, x.ColumnCount, scale, offset);
    }

    /// <summary>Predictions for new rows given row-major in a span (without the intercept column), with standard errors.</summary>
    /// <param name="x">rows x columns values, row by row.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Number of columns; must equal the fit's.</param>
    /// <param name="scale">Link (eta) or response (mu) scale.</param>
    /// <param name="offset">An offset per new row, or null for none.</param>
    /// <returns>The predictions.</returns>
    /// <exception cref="ArgumentException">The shape is wrong, a value is not finite, or the offset length differs.</exception>
    public unsafe GlmPrediction Predict(ReadOnlySpan<double> x, int rows, int columns, GlmPredictionScale scale = GlmPredictionScale.Response, IReadOnlyList<double>? offset = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != x.Length) throw new ArgumentException($"x holds {x.Length} values but rows x columns = {rows} x {columns}.", nameof(x));
        fixed (double* p = x)
        {
            return PredictCore(new DesignSource(p, rows, columns, columns, 1, HasIntercept), scale, offset);
        }
    }

    /// <summary>Wald confidence intervals estimate +- z(1 - (1 - level)/2) SE (R's <c>confint.default</c>).</summary>
    /// <param name="level">The confidence level, in (0, 1).</param>
    /// <returns>One interval per coefficient (NaN limits for aliased ones).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not in (0, 1).</exception>
    public IReadOnlyList<ConfidenceInterval> ConfidenceIntervals(double level = 0.95)
    {
        if (!(level > 0 && level < 1)) throw new ArgumentOutOfRangeException(nameof(level), level, "The confidence level must be in (0, 1).");
        double z = Special.NormalQuantile(1 - (1 - level) / 2);
        return CoefficientNames.Select((name, j) => new ConfidenceInterval(name, Coefficients[j] - z * StandardErrors[j], Coefficients[j] + z * StandardErrors[j])).ToArray();
    }

    /// <summary>An R-style summary: coefficient table with significance codes, dispersion, deviances, AIC and iterations.</summary>
    /// <returns>The summary text.</returns>
    public string Summary()
    {
        var sb = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"Family: {Family.Name}  Link: {Link.Name}");
        sb.AppendLine();
        sb.AppendLine(UserCovariance ? "Coefficients (standard errors and z tests from the given covariance):" : "Coefficients:");
        string statName = TestStatistic == GlmTestStatistic.Z ? "z value" : "t value";
        string pName = TestStatistic == GlmTestStatistic.Z ? "Pr(>|z|)" : "Pr(>|t|)";
        sb.Append(RFormat.CoefficientMatrix(CoefficientNames, Coefficients, StandardErrors, Statistics, PValues, Aliased, statName, pName, digits: 4)); // summary.glm's digits
        sb.AppendLine();
        sb.AppendLine(Family.EstimatesDispersion || UserDispersion
            ? string.Create(c, $"(Dispersion parameter for {Family.Name} family taken to be {Dispersion:G7})")
            : string.Create(c, $"(Dispersion parameter for {Family.Name} family taken to be 1)"));
        sb.AppendLine();
        sb.AppendLine(c, $"    Null deviance: {NullDeviance.ToString("G6", c),9}  on {NullDegreesOfFreedom}  degrees of freedom");
        sb.AppendLine(c, $"Residual deviance: {Deviance.ToString("G6", c),9}  on {ResidualDegreesOfFreedom}  degrees of freedom");
        sb.AppendLine(Aic is double aic ? string.Create(c, $"AIC: {aic:G5}") : "AIC: NA");
        sb.AppendLine();
        if (Design is { OmittedRows: > 0 } d0) sb.AppendLine(c, $"  ({d0.OmittedRows} observation{(d0.OmittedRows == 1 ? "" : "s")} deleted due to missingness)");
        sb.AppendLine(c, $"Number of Fisher Scoring iterations: {Iterations}");
        foreach (GlmDiagnostic d in Diagnostics) sb.AppendLine(c, $"Note: {d.Message}");
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => Summary();

    private GlmPrediction PredictCore(DesignSource x, GlmPredictionScale scale, IReadOnlyList<double>? offset)
    {
        if (!Enum.IsDefined(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, $"scale {(int)scale} is not one of {string.Join(", ", Enum.GetNames<GlmPredictionScale>())}.");
        int rows = x.N;
        int expected = CoefficientCount - (HasIntercept ? 1 : 0);
        if (x.K != expected) throw new ArgumentException($"x has {x.K} columns but the model was fitted with {expected}.", nameof(x));
        if (offset is not null && offset.Count != rows) throw new ArgumentException($"offset has {offset.Count} values but x has {rows} rows.", nameof(offset));
        double[] fit = new double[rows], se = new double[rows];
        double[] xr = new double[CoefficientCount];
        for (int i = 0; i < rows; i++)
        {
            double eta = offset?[i] ?? 0.0;
            if (!double.IsFinite(eta)) throw new ArgumentException($"offset[{i}] is not finite.", nameof(offset));
            for (int j = 0; j < xr.Length; j++)
            {
                xr[j] = x[i, j];
                if (!double.IsFinite(xr[j])) throw new ArgumentException($"x[{i}, {j - (HasIntercept ? 1 : 0)}] is not finite.", nameof(x));
                if (!Aliased[j]) eta += xr[j] * Coefficients[j];
            }

            double v = 0;
            for (int a = 0; a < xr.Length; a++)
            {
                if (Aliased[a]) continue;
                for (int b = 0; b < xr.Length; b++)
                {
                    if (!Aliased[b]) v += xr[a] * Covariance[a, b] * xr[b];
                }
            }

            double seLink = Math.Sqrt(v);
            if (scale == GlmPredictionScale.Link)
            {
                fit[i] = eta;
                se[i] = seLink;
            }
            else
            {
                fit[i] = FittingMean(eta);
                se[i] = seLink * Math.Abs(FittingDerivative(eta));
            }
        }

        return new GlmPrediction(fit, se, scale);
    }
}
